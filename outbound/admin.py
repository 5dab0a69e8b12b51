"""Group robots in the admin: admins add and change them; the address and the secret
are write-only (a blank field keeps the stored value); failing robots stand out."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import permissions
from core.admin_base import AccessMixin, HistoryMixin, ReferenceDataAdmin
from core.errors import DomainError
from outbound import services
from outbound.models import Channel, OutboundMessage


class ChannelForm(forms.ModelForm):
    new_url = forms.CharField(
        label=_("Robot address"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The webhook address from the group's robot settings. Stored, never shown again; empty keeps it."),
    )
    new_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk: the SEC... secret; Feishu: the signature key; webhook: optional. Empty keeps it."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)

    class Meta:
        model = Channel
        fields = ["name", "platform", "team", "language", "escalations", "brief_at", "is_active"]

    def clean(self):
        data = super().clean()
        url = (data.get("new_url") or "").strip() or self.instance.url
        secret = (data.get("new_secret") or "").strip() or ("" if data.get("clear_secret") else self.instance.secret)
        if data.get("platform"):
            try:
                services.channel_check(platform=data["platform"], url=url, secret=secret)
            except DomainError as error:
                self.add_error("new_url" if error.field == "url" else "new_secret", error.message)
        return data


@admin.display(description=_("health"), ordering="health")
def health_badge(channel: Channel) -> str:
    if channel.health == Channel.Health.FAILING:
        return format_html(
            '<span style="background:#ffd4d4;color:#8a0f0f;padding:0 .5em;border-radius:3px">{}</span> {}',
            Channel.Health.FAILING.label,
            channel.last_error[:80],
        )
    return Channel.Health.OK.label


@admin.register(Channel)
class ChannelAdmin(HistoryMixin, ReferenceDataAdmin, SimpleHistoryAdmin):
    form = ChannelForm
    list_display = ["name", "platform", "team", "masked_address", "has_secret", "brief_at", health_badge, "is_active"]
    list_filter = ["platform", "health", "is_active"]
    list_select_related = ["team"]
    actions = ["send_test"]
    readonly_fields = [
        "masked_address",
        "has_secret",
        "health",
        "failures",
        "failing_since",
        "last_error",
        "last_success_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "platform", "team", "language", "escalations", "brief_at", "is_active"]}),
        (_("Credentials"), {"fields": ["masked_address", "new_url", "has_secret", "new_secret", "clear_secret"]}),
        (_("Health"), {"fields": ["health", "failures", "failing_since", "last_error", "last_success_at"]}),
    ]

    @admin.display(description=_("address"))
    def masked_address(self, channel: Channel) -> str:
        return channel.masked_url if channel.url else "-"

    @admin.display(description=_("secret stored"), boolean=True)
    def has_secret(self, channel: Channel) -> bool:
        return bool(channel.secret)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.channel_save(
            channel=obj,
            url=data.get("new_url", ""),
            secret=data.get("new_secret", ""),
            clear_secret=data.get("clear_secret"),
        )

    def changelist_view(self, request, extra_context=None):
        failing = 0
        if request.method == "GET" and self.has_view_permission(request):
            failing = Channel.objects.filter(health=Channel.Health.FAILING, is_active=True).count()
        if failing:
            messages.warning(
                request,
                _("%(n)s group robot(s) failing: their messages wait and are dropped after 24 hours.") % {"n": failing},
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset):
        for channel in queryset:
            answer = services.channel_test(channel=channel)
            level = messages.SUCCESS if answer.ok else messages.ERROR
            self.message_user(request, f"{channel.name}: {answer.detail[:200]}", level)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(AccessMixin, admin.ModelAdmin):
    """What was queued for the robots and what became of it: admins read it."""

    list_display = ["created_at", "channel", "kind", "title", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["channel"]
    date_hierarchy = "created_at"

    def may_view(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False

    def may_delete(self, user, obj=None) -> bool:
        return False
