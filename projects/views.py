"""Web pages of pipeline projects (issue 3): for now "My work", the home page."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from projects import selectors
from projects.selectors import LEVEL_CLASS


class MyWorkView(LoginRequiredMixin, TemplateView):
    """Overdue and coming milestones, follow-ups, recent visits and projects by stage;
    a manager sees the same for their teams, one team, or their own."""

    template_name = "projects/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        work = selectors.my_work(user=self.request.user, selected=self.request.GET.get("team", ""))
        context.update(work=work, level_class=LEVEL_CLASS)
        return context


my_work = MyWorkView.as_view()
