"""The tables the demo zone is built from (projects/demo/ builds it).

Parks, industry clusters and mission regions follow the seed article; the people,
organisation names and texts are invented.
"""

from __future__ import annotations

from typing import NamedTuple

from core.models import User
from crm.models import Industry, Mission, Organisation, Park, Visit
from projects.models import Stage

# Tables laid out by hand, one record a line where it fits: easier to read and edit.
# fmt: off

# --- The bureau -------------------------------------------------------------------

DEPARTMENT = ("投资促进局", "Investment Promotion Bureau")
JK, EU, HM, CN = "日韩招商组", "欧洲招商组", "港澳及中东招商组", "国内招商组"
TEAMS = {
    JK: "Japan, Korea and Singapore Team",
    EU: "Europe and North America Team",
    HM: "Hong Kong, Macau and Middle East Team",
    CN: "Domestic Team",
}
DEMO_USERNAMES = ("admin", "manager", "officer")
# username, display name, role, own team, teams managed besides it
PEOPLE = [
    ("admin", "系统管理员", User.Role.ADMIN, None, []),
    ("manager", "李静", User.Role.MANAGER, JK, [HM]),
    ("officer", "陈晓峰", User.Role.OFFICER, JK, []),
    ("zhoujianhua", "周建华", User.Role.MANAGER, None, [JK, EU, HM, CN]),  # the bureau's director
    ("wanghaitao", "王海涛", User.Role.MANAGER, EU, []),
    ("liuyang", "刘洋", User.Role.MANAGER, CN, []),
    ("sunyue", "孙悦", User.Role.OFFICER, JK, []),
    ("zhaolei", "赵磊", User.Role.OFFICER, JK, []),
    ("heyuting", "何雨婷", User.Role.OFFICER, JK, []),
    ("zhoumin", "周敏", User.Role.OFFICER, EU, []),
    ("wujun", "吴俊", User.Role.OFFICER, EU, []),
    ("xuqian", "徐倩", User.Role.OFFICER, EU, []),
    ("majie", "马杰", User.Role.OFFICER, EU, []),
    ("huangwei", "黄炜", User.Role.OFFICER, HM, []),
    ("linfang", "林芳", User.Role.OFFICER, HM, []),
    ("guohao", "郭浩", User.Role.OFFICER, HM, []),
    ("tangxin", "唐欣", User.Role.OFFICER, HM, []),
    ("yangfan", "杨帆", User.Role.OFFICER, CN, []),
    ("zhuli", "朱丽", User.Role.OFFICER, CN, []),
    ("xiekai", "谢凯", User.Role.OFFICER, CN, []),
    ("hanxue", "韩雪", User.Role.OFFICER, CN, []),
]
DIRECTOR = "zhoujianhua"
TEAM_LEADER = {JK: "manager", EU: "wanghaitao", HM: "manager", CN: "liuyang"}

# --- Parks and industries ---------------------------------------------------------

BONDED_ZONE = "无锡高新区综合保税区"
PARKS = [
    ("中国物联网国际创新园", "China IoT International Innovation Park", Park.Kind.FUNCTIONAL),
    ("无锡（国家）软件园", "Wuxi (National) Software Park", Park.Kind.FUNCTIONAL),
    ("集成电路设计产业园", "IC Design Industrial Park", Park.Kind.FUNCTIONAL),
    ("硅基光电产业园", "Silicon Photonics Industrial Park", Park.Kind.SPECIALISED),
    ("无锡中关村科技创新园", "Wuxi Zhongguancun Science and Technology Innovation Park", Park.Kind.SPECIALISED),
    ("朗新科技产业园", "Longshine Technology Industrial Park", Park.Kind.ECOSYSTEM),
    ("中电海康无锡物联网产业基地", "CETHIK Wuxi IoT Industrial Base", Park.Kind.ECOSYSTEM),
    (BONDED_ZONE, "Wuxi High-tech Zone Comprehensive Bonded Zone", Park.Kind.BONDED),
    # Not in the article: somewhere for life sciences, factories and future industries to land.
    ("生命科技产业园", "Life Science Park", Park.Kind.FUNCTIONAL),
    ("先进制造产业园", "Advanced Manufacturing Park", Park.Kind.FUNCTIONAL),
    ("未来产业先导区", "Future Industries Pilot Zone", Park.Kind.SPECIALISED),
]


class ClusterSpec(NamedTuple):
    name: str
    name_en: str
    category: str
    parks: list[str]  # where its projects land
    trades: list[tuple[str, str]]  # words for company names (Chinese, English)
    products: list[str]  # what its projects build
    chains: list[tuple[str, str, list[tuple[str, str]]]]  # chain, English, links upstream first


LANDMARK, FUTURE, OTHER = Industry.Category.LANDMARK, Industry.Category.FUTURE, Industry.Category.OTHER
# "6+2+X": six landmark clusters (plus materials as one of the others); "5+N": five
# leading future industries and two frontier ones (deep sea and space, silicon photonics).
INDUSTRIES = [
    ClusterSpec(
        "物联网", "Internet of Things", LANDMARK,
        ["中国物联网国际创新园", "中电海康无锡物联网产业基地"],
        [("传感技术", "Sensing Technology"), ("物联科技", "IoT Technology"), ("智能感知", "Smart Sensing")],
        ["MEMS传感器研发及制造", "智能感知模组生产线", "车规级传感器封测", "物联网通信模组"],
        [
            ("智能传感器", "Smart sensors", [
                ("MEMS设计", "MEMS design"), ("传感器晶圆制造", "Sensor wafer fabrication"),
                ("传感器封装测试", "Sensor packaging and testing"), ("感知模组", "Sensing modules"),
                ("物联网应用", "IoT applications"),
            ]),
            ("物联网通信与平台", "IoT connectivity and platforms", [
                ("通信模组", "Communication modules"), ("边缘计算", "Edge computing"), ("物联网平台", "IoT platforms"),
            ]),
        ],
    ),
    ClusterSpec(
        "集成电路", "Integrated circuits", LANDMARK,
        ["集成电路设计产业园", BONDED_ZONE],
        [("微电子", "Microelectronics"), ("半导体", "Semiconductor"), ("芯片科技", "Chip Technology")],
        ["车规级芯片设计中心", "特色工艺晶圆制造", "半导体设备零部件制造", "电子特气及湿化学品"],
        [
            ("集成电路设计", "IC design", [("EDA与IP", "EDA and IP"), ("芯片设计", "Chip design")]),
            ("集成电路制造", "IC manufacturing", [
                ("半导体材料", "Semiconductor materials"), ("半导体设备", "Semiconductor equipment"),
                ("晶圆制造", "Wafer fabrication"),
            ]),
        ],
    ),
    ClusterSpec(
        "生物医药", "Biomedicine", LANDMARK,
        ["生命科技产业园"],
        [("生物医药", "Biopharma"), ("医疗器械", "Medical Devices"), ("制药", "Pharmaceutical")],
        ["创新药研发及产业化", "高端制剂生产基地", "体外诊断试剂及仪器", "植介入器械产业化"],
        [
            ("创新药", "Innovative drugs", [
                ("药物发现", "Drug discovery"), ("临床研究服务", "Clinical research services"),
                ("原料药与制剂", "APIs and formulations"),
            ]),
            ("高端医疗器械", "Advanced medical devices", [
                ("体外诊断", "In-vitro diagnostics"), ("医学影像", "Medical imaging"),
                ("植介入器械", "Implants and interventional devices"),
            ]),
        ],
    ),
    ClusterSpec(
        "软件与信息服务", "Software and information services", LANDMARK,
        ["无锡（国家）软件园", "朗新科技产业园"],
        [("软件", "Software"), ("信息技术", "Information Technology"), ("数据科技", "Data Technology")],
        ["工业软件研发中心", "区域总部及研发中心", "信创适配中心"],
        [
            ("工业软件", "Industrial software", [
                ("研发设计软件", "Design software"), ("生产控制软件", "Production control software"),
            ]),
            ("信息技术应用创新", "IT application innovation", [
                ("基础软件", "Basic software"), ("行业解决方案", "Industry solutions"),
            ]),
        ],
    ),
    ClusterSpec(
        "高端装备", "High-end equipment", LANDMARK,
        ["先进制造产业园"],
        [("精密机械", "Precision Machinery"), ("智能装备", "Intelligent Equipment"), ("航空部件", "Aero Components")],
        ["航空发动机零部件增材制造", "精密数控机床", "智能产线装备"],
        [
            ("航空航天零部件", "Aerospace components", [
                ("增材制造", "Additive manufacturing"), ("精密加工", "Precision machining"),
            ]),
            ("智能制造装备", "Smart manufacturing equipment", [
                ("数控机床", "CNC machine tools"), ("工业自动化", "Industrial automation"),
            ]),
        ],
    ),
    ClusterSpec(
        "新能源", "New energy", LANDMARK,
        ["先进制造产业园"],
        [("新能源", "New Energy"), ("光伏科技", "Solar Technology"), ("电池科技", "Battery Technology")],
        ["高效光伏组件", "动力电池正极材料", "电池管理系统研发生产"],
        [
            ("光伏", "Photovoltaics", [
                ("硅片与电池片", "Wafers and cells"), ("光伏组件", "Modules"), ("逆变器", "Inverters"),
            ]),
            ("动力电池", "Power batteries", [
                ("正极材料", "Cathode materials"), ("电芯制造", "Cell manufacturing"),
                ("电池管理系统", "Battery management systems"), ("电池回收", "Battery recycling"),
            ]),
        ],
    ),
    ClusterSpec(
        "新材料", "Advanced materials", OTHER,
        [BONDED_ZONE, "先进制造产业园"],
        [("新材料", "Advanced Materials"), ("电子陶瓷", "Electronic Ceramics")],
        ["纳米级陶瓷薄膜电容器", "高性能光学膜材料"],
        [("电子材料", "Electronic materials", [("电子陶瓷", "Electronic ceramics"), ("功能膜材料", "Functional films")])],
    ),
    ClusterSpec(
        "化合物半导体和先进封测", "Compound semiconductors and advanced packaging", FUTURE,
        [BONDED_ZONE, "集成电路设计产业园"],
        [("化合物半导体", "Compound Semiconductor"), ("先进封装", "Advanced Packaging")],
        ["碳化硅衬底及外延", "氮化镓功率器件", "晶圆级先进封装", "系统级封装测试"],
        [
            ("化合物半导体", "Compound semiconductors", [
                ("衬底", "Substrates"), ("外延", "Epitaxy"), ("器件设计", "Device design"), ("制造", "Fabrication"),
                ("封装测试", "Packaging and testing"), ("应用", "Applications"),
            ]),
            ("先进封测", "Advanced packaging and testing", [
                ("晶圆级封装", "Wafer-level packaging"), ("系统级封装", "System in package"), ("测试服务", "Test services"),
            ]),
        ],
    ),
    ClusterSpec(
        "氢能和新型储能", "Hydrogen and new energy storage", FUTURE,
        ["未来产业先导区"],
        [("氢能科技", "Hydrogen Technology"), ("储能科技", "Energy Storage")],
        ["燃料电池电堆及系统", "电解槽制氢装备", "储能电池及系统集成"],
        [
            ("氢能", "Hydrogen", [
                ("制氢", "Hydrogen production"), ("储运", "Storage and transport"), ("燃料电池", "Fuel cells"),
                ("加氢站", "Refuelling stations"),
            ]),
            ("新型储能", "New energy storage", [
                ("储能电池", "Storage batteries"), ("储能变流器", "Power conversion systems"),
                ("系统集成", "System integration"),
            ]),
        ],
    ),
    ClusterSpec(
        "人工智能和机器人", "AI and robotics", FUTURE,
        ["无锡中关村科技创新园", "未来产业先导区"],
        [("机器人", "Robotics"), ("智能科技", "Intelligence Technology")],
        ["工业机器人本体制造", "协作机器人核心零部件", "智算中心", "行业大模型应用"],
        [
            ("智能机器人", "Intelligent robots", [
                ("核心零部件", "Core components"), ("机器人本体", "Robot bodies"), ("系统集成", "System integration"),
            ]),
            ("人工智能", "Artificial intelligence", [
                ("算力", "Computing power"), ("大模型", "Foundation models"), ("行业应用", "Industry applications"),
            ]),
        ],
    ),
    ClusterSpec(
        "细胞基因和合成生物", "Cell and gene therapy and synthetic biology", FUTURE,
        ["生命科技产业园"],
        [("基因科技", "Gene Technology"), ("合成生物", "Synthetic Biology")],
        ["细胞与基因治疗CDMO平台", "合成生物发酵基地", "病毒载体生产"],
        [
            ("细胞与基因治疗", "Cell and gene therapy", [
                ("载体开发", "Vector development"), ("工艺开发与CDMO", "Process development and CDMO"),
                ("临床转化", "Clinical translation"),
            ]),
            ("合成生物", "Synthetic biology", [
                ("菌种设计", "Strain design"), ("发酵生产", "Fermentation"),
                ("分离纯化", "Separation and purification"), ("产品应用", "Applications"),
            ]),
        ],
    ),
    ClusterSpec(
        "元宇宙和虚拟现实", "Metaverse and virtual reality", FUTURE,
        ["无锡中关村科技创新园", "硅基光电产业园"],
        [("光学科技", "Optical Technology"), ("虚拟现实", "Virtual Reality")],
        ["消费级AR眼镜整机", "光波导镜片制造", "XR内容制作平台"],
        [
            ("虚拟现实终端", "XR devices", [
                ("光学显示", "Optics and displays"), ("芯片与传感", "Chips and sensors"), ("整机制造", "Device assembly"),
                ("内容与平台", "Content and platforms"),
            ]),
        ],
    ),
    ClusterSpec(
        "深海空天", "Deep sea and aerospace", FUTURE,
        ["未来产业先导区"],
        [("海洋装备", "Marine Equipment"), ("航天科技", "Space Technology")],
        ["海洋运维机器人", "卫星零部件制造"],
        [
            ("海洋智能装备", "Marine intelligent equipment", [
                ("水下机器人", "Underwater robots"), ("海工运维", "Offshore maintenance"),
            ]),
            ("商业航天", "Commercial space", [
                ("卫星部件", "Satellite components"), ("测控服务", "Tracking and control services"),
            ]),
        ],
    ),
    ClusterSpec(
        "硅基光电", "Silicon photonics", FUTURE,
        ["硅基光电产业园"],
        [("光电", "Photonics"), ("硅光科技", "Silicon Photonics")],
        ["硅光芯片设计", "高速光模块生产"],
        [("硅光器件", "Silicon photonic devices", [("硅光芯片", "Silicon photonic chips"), ("光模块", "Optical modules")])],
    ),
]
CLUSTERS = {spec.name: spec for spec in INDUSTRIES}

# --- Places and names --------------------------------------------------------------

# Chinese cities: name, English, district code for credit codes, companies there.
CN_CITIES = [
    ("无锡", "Wuxi", "320214", 55),
    ("上海", "Shanghai", "310115", 20),
    ("深圳", "Shenzhen", "440305", 15),
    ("北京", "Beijing", "110108", 10),
    ("苏州", "Suzhou", "320505", 10),
    ("杭州", "Hangzhou", "330108", 8),
    ("南京", "Nanjing", "320115", 5),
    ("合肥", "Hefei", "340104", 5),
]
CN_BRAND_CHARS = [
    ("瀚", "Han"), ("芯", "Xin"), ("睿", "Rui"), ("诺", "Nuo"), ("泰", "Tai"), ("恒", "Heng"), ("宇", "Yu"),
    ("致", "Zhi"), ("远", "Yuan"), ("启", "Qi"), ("澜", "Lan"), ("拓", "Tuo"), ("驰", "Chi"), ("凌", "Ling"),
    ("峰", "Feng"), ("辰", "Chen"), ("卓", "Zhuo"), ("越", "Yue"), ("弘", "Hong"), ("澄", "Cheng"), ("锐", "Rui"),
    ("鼎", "Ding"), ("嘉", "Jia"), ("禾", "He"), ("朗", "Lang"), ("翔", "Xiang"), ("湛", "Zhan"), ("钧", "Jun"),
    ("曜", "Yao"), ("衡", "Heng"), ("沐", "Mu"), ("岚", "Lan"), ("骁", "Xiao"), ("璟", "Jing"), ("昇", "Sheng"),
    ("溯", "Su"), ("砺", "Li"), ("珩", "Heng"), ("麟", "Lin"), ("筑", "Zhu"),
]


class CountrySpec(NamedTuple):
    name: str  # in Chinese
    cities: list[tuple[str, str]]
    suffix: tuple[str, str]  # company form, Chinese and English
    brands: list[tuple[str, str]]  # empty: Chinese-style names
    companies: int


FOREIGN = {
    "JP": CountrySpec("日本", [("东京", "Tokyo"), ("大阪", "Osaka"), ("京都", "Kyoto"), ("名古屋", "Nagoya"), ("横滨", "Yokohama")],
                      ("株式会社", "Co., Ltd."),
                      [("光轮", "Korin"), ("青岭", "Aomine"), ("朝雾", "Asagiri"), ("白鹭", "Shirasagi"), ("千早", "Chihaya"),
                       ("紫苑", "Shion"), ("若叶", "Wakaba"), ("东云", "Shinonome"), ("美浜", "Mihama"), ("翠峰", "Suiho"),
                       ("风见", "Kazami"), ("秋津", "Akitsu"), ("雪村", "Yukimura"), ("苍天", "Soten")], 30),
    "KR": CountrySpec("韩国", [("首尔", "Seoul"), ("水原", "Suwon"), ("釜山", "Busan"), ("仁川", "Incheon")],
                      ("株式会社", "Co., Ltd."),
                      [("世元", "Sewon"), ("东辉", "Donghwi"), ("青岚", "Cheongram"), ("星湖", "Seongho"), ("和顺", "Hwasun"),
                       ("明远", "Myeongwon"), ("瑞山", "Seosan"), ("金谷", "Geumgok"), ("汉拏", "Hanna")], 18),
    "SG": CountrySpec("新加坡", [("新加坡", "Singapore")], ("私人有限公司", "Pte. Ltd."),
                      [("海峡", "Straitsline"), ("狮桥", "Lionbridge Road"), ("南岸", "Southbank")], 4),
    "DE": CountrySpec("德国", [("慕尼黑", "Munich"), ("斯图加特", "Stuttgart"), ("德累斯顿", "Dresden"),
                               ("杜塞尔多夫", "Düsseldorf"), ("法兰克福", "Frankfurt")], ("有限公司", "GmbH"),
                      [("莱茵费尔斯", "Rheinfels"), ("奥伯霍夫", "Oberhof"), ("施泰因堡", "Steinburg"),
                       ("林登瓦尔德", "Lindenwald"), ("霍恩贝格", "Hohenberg"), ("魏森巴赫", "Weissenbach"),
                       ("阿尔腾堡", "Altenburg"), ("沃尔夫哈特", "Wolfhart"), ("格伦瓦尔德", "Grunwald")], 14),
    "FR": CountrySpec("法国", [("巴黎", "Paris"), ("格勒诺布尔", "Grenoble")], ("简化股份公司", "SAS"),
                      [("博韦尔", "Beauvel"), ("拉罗莎", "Larosa")], 3),
    "NL": CountrySpec("荷兰", [("埃因霍温", "Eindhoven"), ("莱顿", "Leiden")], ("有限公司", "B.V."),
                      [("范德霍文", "Van der Hoeven"), ("德克林", "De Klijn")], 3),
    "BE": CountrySpec("比利时", [("鲁汶", "Leuven"), ("根特", "Ghent")], ("股份有限公司", "NV"), [("弗兰森", "Fransen")], 2),
    "CH": CountrySpec("瑞士", [("苏黎世", "Zurich"), ("巴塞尔", "Basel")], ("股份公司", "AG"),
                      [("阿尔彭林", "Alpenlin"), ("泽瓦尔德", "Seewald")], 3),
    "IT": CountrySpec("意大利", [("米兰", "Milan"), ("都灵", "Turin")], ("股份公司", "S.p.A."), [("洛伦扎", "Lorenza")], 2),
    "GB": CountrySpec("英国", [("剑桥", "Cambridge"), ("伦敦", "London")], ("有限公司", "Ltd"),
                      [("索恩伯里", "Thornbury"), ("艾文代尔", "Avondale")], 3),
    "SE": CountrySpec("瑞典", [("斯德哥尔摩", "Stockholm"), ("哥德堡", "Gothenburg")], ("股份公司", "AB"),
                      [("诺德维克", "Nordvik")], 2),
    "FI": CountrySpec("芬兰", [("赫尔辛基", "Helsinki")], ("有限公司", "Oy"), [("卡尔纳", "Kaarna")], 1),
    "DK": CountrySpec("丹麦", [("哥本哈根", "Copenhagen")], ("股份公司", "A/S"), [("斯科温", "Skovin")], 1),
    "AT": CountrySpec("奥地利", [("维也纳", "Vienna"), ("林茨", "Linz")], ("有限公司", "GmbH"), [("多瑙坦", "Donautal")], 1),
    "US": CountrySpec("美国", [("波士顿", "Boston"), ("圣何塞", "San Jose"), ("奥斯汀", "Austin")], ("公司", "Inc."),
                      [("帕洛弗德", "Paloverde"), ("雷德克里克", "Redcreek"), ("银湖", "Silverlake Bay")], 5),
    "HK": CountrySpec("香港", [("香港", "Hong Kong")], ("有限公司", "Limited"), [], 10),
    "MO": CountrySpec("澳门", [("澳门", "Macau")], ("有限公司", "Limited"), [], 2),
    "AE": CountrySpec("阿联酋", [("迪拜", "Dubai"), ("阿布扎比", "Abu Dhabi")], ("有限责任公司", "LLC"),
                      [("海湾绿洲", "Gulf Oasis"), ("沙漠之光", "Desert Light"), ("新月", "Crescent Line")], 3),
    "SA": CountrySpec("沙特", [("利雅得", "Riyadh"), ("吉达", "Jeddah")], ("有限公司", "Co."),
                      [("红海远景", "Red Sea Vision"), ("绿洲之门", "Oasis Gate")], 2),
    "QA": CountrySpec("卡塔尔", [("多哈", "Doha")], ("有限责任公司", "LLC"), [("珍珠湾", "Pearl Bay")], 1),
}
# The team that works a country (Europe and North America unless listed).
TEAM_OF_COUNTRY = {"CN": CN, "JP": JK, "KR": JK, "SG": JK, "HK": HM, "MO": HM, "AE": HM, "SA": HM, "QA": HM}
COUNTRY_NAME = {"CN": "中国"} | {code: spec.name for code, spec in FOREIGN.items()}


class Featured(NamedTuple):
    """A company the story needs, made before the random ones."""

    country: str
    city: str
    brand: tuple[str, str]
    cluster: str
    trade: tuple[str, str]
    role: str


FEATURED = [
    # Like the article's electronics maker building a 5B-yuan factory in the bonded zone.
    Featured("JP", "京都", ("光轮", "Korin"), "新材料", ("电子陶瓷", "Electronic Ceramics"), "factory"),
    # Investor in one of the two projects above 10B yuan.
    Featured("CN", "上海", ("芯澄", "Xincheng"), "集成电路", ("半导体", "Semiconductor"), "fab"),
    # Like the article's first listing of the year: an in-zone "little giant" on the SSE main board.
    Featured("CN", "无锡", ("澜芯", "Lanxin"), "集成电路", ("微电子", "Microelectronics"), "new_listing"),
]

# Other names (crm.search finds organisations by them): short names, brands, a name in
# another script, by the featured company's role or the organisation's name.
ALIASES = {
    "factory": ["光輪電子セラミックス", "KORIN", "光轮陶瓷"],
    "fab": ["芯澄半导体", "XC Semi"],
    "太湖理工大学": ["太湖理工", "TUT"],
    "长三角电子科技大学": ["长电科大"],
    "关西先端科学技术大学": ["関西先端科学技術大学", "KUAS"],
    "汉江科学技术院": ["한강과학기술원", "HIST"],
}

K = Organisation.Kind
# Organisations that are not companies: kind, name, English, country, city, cluster.
OTHER_ORGANISATIONS = [
    (K.UNIVERSITY, "太湖理工大学", "Taihu University of Technology", "CN", "无锡", "物联网"),
    (K.UNIVERSITY, "长三角电子科技大学", "Yangtze Delta University of Electronic Science", "CN", "上海", "集成电路"),
    (K.UNIVERSITY, "东海医科大学", "Donghai Medical University", "CN", "上海", "生物医药"),
    (K.UNIVERSITY, "京华科技大学", "Jinghua University of Science and Technology", "CN", "北京", "软件与信息服务"),
    (K.UNIVERSITY, "岭南信息工程大学", "Lingnan University of Information Engineering", "CN", "深圳", "人工智能和机器人"),
    (K.UNIVERSITY, "钱塘生命科学大学", "Qiantang University of Life Sciences", "CN", "杭州", "细胞基因和合成生物"),
    (K.UNIVERSITY, "莱茵河畔应用技术大学", "Rheinufer University of Applied Sciences", "DE", "斯图加特", "高端装备"),
    (K.UNIVERSITY, "关西先端科学技术大学", "Kansai University of Advanced Science", "JP", "京都", "新材料"),
    (K.UNIVERSITY, "汉江科学技术院", "Hangang Institute of Science and Technology", "KR", "首尔", "集成电路"),
    (K.UNIVERSITY, "狮城理工大学", "Lion City Polytechnic University", "SG", "新加坡", "人工智能和机器人"),
    (K.UNIVERSITY, "诺斯维尔大学", "Northvale University", "GB", "剑桥", "生物医药"),
    (K.RESEARCH_INSTITUTE, "长三角先进传感研究所", "Yangtze Delta Institute of Advanced Sensing", "CN", "上海", "物联网"),
    (K.RESEARCH_INSTITUTE, "北方光电研究院", "Northern Institute of Optoelectronics", "CN", "北京", "硅基光电"),
    (K.RESEARCH_INSTITUTE, "深圳先进储能研究院", "Shenzhen Institute of Advanced Energy Storage", "CN", "深圳", "氢能和新型储能"),
    (K.RESEARCH_INSTITUTE, "苏州微纳器件研究所", "Suzhou Institute of Micro-Nano Devices", "CN", "苏州", "化合物半导体和先进封测"),
    (K.RESEARCH_INSTITUTE, "萨尔察应用微系统研究所", "Salzach Institute for Applied Microsystems", "DE", "德累斯顿", "集成电路"),
    (K.RESEARCH_INSTITUTE, "弗兰德纳米电子研究中心", "Flanders Nanoelectronics Research Centre", "BE", "鲁汶", "化合物半导体和先进封测"),
    (K.RESEARCH_INSTITUTE, "筑波先端材料实验室", "Tsukuba Advanced Materials Laboratory", "JP", "东京", "新材料"),
    (K.RESEARCH_INSTITUTE, "大田融合技术研究院", "Daejeon Convergence Technology Institute", "KR", "首尔", "氢能和新型储能"),
    (K.RND_INSTITUTE, "太湖理工大学无锡智能传感研究院", "Taihu Tech Wuxi Institute of Intelligent Sensing", "CN", "无锡", "物联网"),
    (K.RND_INSTITUTE, "东海医科大学无锡创新药物研究院", "Donghai Medical Wuxi Institute of Innovative Drugs", "CN", "无锡", "生物医药"),
    (K.RND_INSTITUTE, "京华科技大学无锡EDA研究院", "Jinghua Wuxi EDA Institute", "CN", "无锡", "集成电路"),
    (K.RND_INSTITUTE, "岭南信息工程大学无锡人工智能研究院", "Lingnan Wuxi AI Institute", "CN", "无锡", "人工智能和机器人"),
    (K.RND_INSTITUTE, "钱塘生命科学大学无锡合成生物研究院", "Qiantang Wuxi Synthetic Biology Institute", "CN", "无锡", "细胞基因和合成生物"),
    (K.RND_INSTITUTE, "长三角化合物半导体创新中心", "Yangtze Delta Compound Semiconductor Innovation Centre", "CN", "无锡", "化合物半导体和先进封测"),
    (K.RND_INSTITUTE, "无锡高新区氢能技术研究院", "Wuxi HTZ Hydrogen Technology Institute", "CN", "无锡", "氢能和新型储能"),
    (K.RND_INSTITUTE, "香江理工无锡科技创新研究院", "Xiangjiang Polytechnic Wuxi Innovation Institute", "CN", "无锡", "元宇宙和虚拟现实"),
    (K.ASSOCIATION, "长三角集成电路产业协作联盟", "Yangtze Delta IC Industry Cooperation Alliance", "CN", "上海", "集成电路"),
    (K.ASSOCIATION, "无锡高新区物联网产业协会", "Wuxi HTZ IoT Industry Association", "CN", "无锡", "物联网"),
    (K.ASSOCIATION, "深圳智能机器人企业联合会", "Shenzhen Intelligent Robot Enterprise Federation", "CN", "深圳", "人工智能和机器人"),
    (K.ASSOCIATION, "日中电子元器件交流协会", "Japan-China Electronic Components Exchange Association", "JP", "东京", "新材料"),
    (K.ASSOCIATION, "韩中产业合作商会", "Korea-China Industrial Cooperation Chamber", "KR", "首尔", None),
    (K.ASSOCIATION, "德国中部中小企业联合会", "Central German SME Federation", "DE", "法兰克福", "高端装备"),
    (K.ASSOCIATION, "荷兰生命科学企业协会", "Netherlands Life Science Enterprise Association", "NL", "莱顿", "生物医药"),
    (K.ASSOCIATION, "香港创科企业联会", "Hong Kong Innovation Enterprise Federation", "HK", "香港", None),
    (K.ASSOCIATION, "海湾中国工商理事会", "Gulf-China Business Council", "AE", "迪拜", None),
    (K.INVESTOR, "太湖之光产业投资基金（有限合伙）", "Taihu Light Industrial Investment Fund LP", "CN", "无锡", None),
    (K.INVESTOR, "申江硬科技创业投资有限公司", "Shenjiang Hard-Tech Venture Capital Co., Ltd.", "CN", "上海", "集成电路"),
    (K.INVESTOR, "鹏城未来产业投资有限公司", "Pengcheng Future Industries Investment Co., Ltd.", "CN", "深圳", "人工智能和机器人"),
    (K.INVESTOR, "京西医疗健康投资管理有限公司", "Jingxi Healthcare Investment Management Co., Ltd.", "CN", "北京", "生物医药"),
    (K.INVESTOR, "钱江碳中和股权投资基金（有限合伙）", "Qianjiang Carbon Neutral Equity Fund LP", "CN", "杭州", "新能源"),
    (K.INVESTOR, "庐州创新源投资有限公司", "Luzhou Innovation Source Investment Co., Ltd.", "CN", "合肥", "新能源"),
    (K.INVESTOR, "维港资本管理有限公司", "Harbourview Capital Management Limited", "HK", "香港", None),
    (K.INVESTOR, "太平山科技投资有限公司", "Peak Tech Investments Limited", "HK", "香港", "集成电路"),
    (K.INVESTOR, "香江家族办公室有限公司", "Fragrant River Family Office Limited", "HK", "香港", None),
    (K.INVESTOR, "海湾绿洲投资公司", "Gulf Oasis Investments LLC", "AE", "阿布扎比", "氢能和新型储能"),
    (K.INVESTOR, "沙漠之光能源基金", "Desert Light Energy Fund", "AE", "迪拜", "新能源"),
    (K.INVESTOR, "红海远景投资公司", "Red Sea Vision Investment Company", "SA", "利雅得", None),
    (K.INVESTOR, "珍珠湾科技基金", "Pearl Bay Technology Fund", "QA", "多哈", None),
    (K.INVESTOR, "狮城海峡资本私人有限公司", "Straitsline Capital Pte. Ltd.", "SG", "新加坡", None),
    (K.INVESTOR, "南岸创新基金私人有限公司", "Southbank Innovation Fund Pte. Ltd.", "SG", "新加坡", "生物医药"),
    (K.INVESTOR, "帕洛弗德风险投资公司", "Paloverde Ventures LLC", "US", "圣何塞", "人工智能和机器人"),
    (K.GOVERNMENT, "长三角产业协作办公室", "Yangtze Delta Industrial Cooperation Office", "CN", "上海", None),
    (K.GOVERNMENT, "江苏省驻深圳经贸联络处", "Jiangsu Economic and Trade Liaison Office, Shenzhen", "CN", "深圳", None),
    (K.GOVERNMENT, "关西广域产业振兴机构", "Kansai Regional Industry Promotion Organisation", "JP", "大阪", None),
    (K.GOVERNMENT, "京畿南部投资促进院", "Southern Gyeonggi Investment Promotion Agency", "KR", "水原", None),
    (K.GOVERNMENT, "东巴伐利亚经济促进署", "East Bavaria Economic Development Agency", "DE", "慕尼黑", None),
    (K.OFFSHORE_CENTRE, "无锡高新区比利时离岸创新中心", "Wuxi HTZ Offshore Innovation Centre (Belgium)", "BE", "鲁汶", None),
    (K.OFFSHORE_CENTRE, "无锡高新区德国离岸创新中心", "Wuxi HTZ Offshore Innovation Centre (Germany)", "DE", "慕尼黑", None),
    (K.OFFSHORE_CENTRE, "无锡高新区韩国离岸创新中心", "Wuxi HTZ Offshore Innovation Centre (Korea)", "KR", "首尔", None),
    (K.OFFSHORE_CENTRE, "无锡高新区新加坡离岸创新中心", "Wuxi HTZ Offshore Innovation Centre (Singapore)", "SG", "新加坡", None),
    (K.OFFSHORE_CENTRE, "无锡高新区美国离岸创新中心", "Wuxi HTZ Offshore Innovation Centre (USA)", "US", "波士顿", None),
]
# The first two characters of a credit code (GB 32100): registering authority and kind.
CREDIT_TYPE = {K.GOVERNMENT: "11", K.UNIVERSITY: "12", K.RESEARCH_INSTITUTE: "12", K.RND_INSTITUTE: "52",
               K.ASSOCIATION: "51"}
COMPANY_CREDIT_TYPE = "91"

CN_SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu"), ("高", "Gao"), ("林", "Lin"),
    ("郭", "Guo"), ("罗", "Luo"), ("梁", "Liang"), ("宋", "Song"), ("郑", "Zheng"), ("许", "Xu"),
]
CN_GIVEN = [
    ("伟", "Wei"), ("芳", "Fang"), ("静", "Jing"), ("磊", "Lei"), ("建国", "Jianguo"), ("志强", "Zhiqiang"),
    ("晓东", "Xiaodong"), ("丽华", "Lihua"), ("文博", "Wenbo"), ("思远", "Siyuan"), ("海燕", "Haiyan"),
    ("俊杰", "Junjie"), ("雪梅", "Xuemei"), ("立新", "Lixin"), ("嘉怡", "Jiayi"), ("浩然", "Haoran"),
]
# Surnames and given names in Chinese characters with their romanisation.
EAST_ASIAN_NAMES = {
    "JP": ([("田中", "Tanaka"), ("佐藤", "Sato"), ("铃木", "Suzuki"), ("高桥", "Takahashi"), ("渡边", "Watanabe"),
            ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi")],
           [("健一", "Kenichi"), ("直树", "Naoki"), ("裕子", "Yuko"), ("浩", "Hiroshi"), ("美穗", "Miho"), ("大辅", "Daisuke")]),
    "KR": ([("金", "Kim"), ("李", "Lee"), ("朴", "Park"), ("崔", "Choi"), ("郑", "Jung"), ("姜", "Kang"), ("尹", "Yoon")],
           [("民俊", "Min-jun"), ("智妍", "Ji-yeon"), ("成浩", "Sung-ho"), ("秀贤", "Soo-hyun"), ("在勋", "Jae-hoon")]),
}
# Given names and surnames written in Latin letters.
WESTERN_NAMES = {
    "DE": (["Thomas", "Katrin", "Stefan", "Julia", "Markus", "Anja"], ["Becker", "Hoffmann", "Keller", "Richter", "Brandt"]),
    "FR": (["Julien", "Claire", "Nicolas", "Sophie"], ["Moreau", "Laurent", "Girard", "Fontaine"]),
    "NL": (["Pieter", "Anouk", "Bram", "Sanne"], ["de Vries", "Bakker", "Visser", "Smit"]),
    "BE": (["Wouter", "Elise", "Lotte"], ["Peeters", "Maes", "Claes"]),
    "IT": (["Marco", "Giulia", "Luca"], ["Rossi", "Colombo", "Ricci"]),
    "GB": (["James", "Emma", "Oliver"], ["Taylor", "Clarke", "Hughes"]),
    "SE": (["Erik", "Anna", "Lars"], ["Lindqvist", "Berg", "Holm"]),
    "FI": (["Mikko", "Aino"], ["Virtanen", "Korhonen"]),
    "DK": (["Rasmus", "Mette"], ["Nielsen", "Jensen"]),
    "US": (["Michael", "Sarah", "David", "Emily"], ["Carter", "Brooks", "Reed", "Morgan"]),
    "SG": (["Wei Ming", "Hui Ling", "Jun Jie"], ["Tan", "Lim", "Ng"]),
    "AE": (["Khalid", "Omar", "Fatima", "Ahmed"], ["Al Hashimi", "Al Suwaidi", "Al Nuaimi"]),
    "SA": (["Faisal", "Abdullah", "Noura"], ["Al Otaibi", "Al Harbi"]),
    "QA": (["Hamad", "Mariam"], ["Al Kuwari", "Al Marri"]),
}
WESTERN_NAMES |= {"CH": WESTERN_NAMES["DE"], "AT": WESTERN_NAMES["DE"]}
TITLES = {
    K.COMPANY: ["总经理", "董事长", "副总裁", "投资总监", "战略发展部部长", "中国区总裁", "海外事业部部长", "首席技术官", "项目经理"],
    K.UNIVERSITY: ["副校长", "科技处处长", "教授"],
    K.RESEARCH_INSTITUTE: ["所长", "副所长", "成果转化部主任"],
    K.RND_INSTITUTE: ["院长", "执行院长", "产业化部主任"],
    K.ASSOCIATION: ["会长", "秘书长", "副秘书长"],
    K.INVESTOR: ["合伙人", "投资总监", "董事总经理"],
    K.GOVERNMENT: ["处长", "主任", "投资促进专员"],
    K.OFFSHORE_CENTRE: ["中心主任", "项目经理"],
}

# --- Missions ----------------------------------------------------------------------

R, M = Mission.Region, Mission.Kind
# region, team, past missions, upcoming ones, country groups (domestic: city groups)
MISSION_PLAN = [
    (R.JAPAN_KOREA, JK, 18, 1, [["JP"], ["JP"], ["KR"], ["JP", "KR"]]),
    (R.EUROPE, EU, 15, 1, [["DE"], ["DE", "NL"], ["DE", "CH", "AT"], ["FR", "BE"], ["NL", "BE"], ["IT", "CH"], ["GB"],
                           ["SE", "FI", "DK"]]),
    (R.HK_MACAU, HM, 9, 0, [["HK"], ["HK", "MO"]]),
    (R.MIDDLE_EAST, HM, 7, 1, [["AE"], ["AE", "SA"], ["AE", "QA"], ["SA"]]),
    (R.SOUTHEAST_ASIA, JK, 4, 0, [["SG"]]),
    (R.NORTH_AMERICA, EU, 3, 0, [["US"]]),
    (R.DOMESTIC, CN, 23, 1, [["上海"], ["深圳"], ["北京"], ["上海", "苏州"], ["杭州", "南京"], ["合肥"]]),
]
REGION_NAME = {
    R.JAPAN_KOREA: "日韩", R.EUROPE: "欧洲", R.HK_MACAU: "港澳", R.MIDDLE_EAST: "中东", R.SOUTHEAST_ASIA: "新加坡",
    R.NORTH_AMERICA: "北美", R.DOMESTIC: "国内",
}
# Trade fairs a team goes to: name, city, country.
EXHIBITIONS = {
    R.JAPAN_KOREA: [("日本国际电子元器件展", "东京", "JP"), ("韩国半导体产业展", "首尔", "KR")],
    R.EUROPE: [("汉诺威工业博览会", "汉诺威", "DE"), ("杜塞尔多夫国际医疗器械展", "杜塞尔多夫", "DE")],
    R.HK_MACAU: [("香港国际创科展", "香港", "HK")],
    R.MIDDLE_EAST: [("阿布扎比未来能源展", "阿布扎比", "AE")],
    R.SOUTHEAST_ASIA: [("新加坡国际科技周", "新加坡", "SG")],
    R.NORTH_AMERICA: [("拉斯维加斯消费电子展", "拉斯维加斯", "US")],
    R.DOMESTIC: [("上海国际半导体展", "上海", "CN"), ("深圳国际机器人与人工智能展", "深圳", "CN"),
                 ("北京国际生物医药创新大会", "北京", "CN")],
}
MISSION_KINDS_ABROAD = [(M.OVERSEAS_TRIP, 72), (M.EXHIBITION, 10), (M.HOSTED_EVENT, 12), (M.ONLINE, 6)]
MISSION_KINDS_HOME = [(M.DOMESTIC_TRIP, 60), (M.EXHIBITION, 15), (M.HOSTED_EVENT, 25)]
MISSION_DAYS = {M.OVERSEAS_TRIP: (5, 9), M.DOMESTIC_TRIP: (2, 4), M.HOSTED_EVENT: (1, 2), M.EXHIBITION: (3, 5),
                M.ONLINE: (1, 1)}
VISITS_PER_MISSION = {M.OVERSEAS_TRIP: (4, 8), M.DOMESTIC_TRIP: (3, 6), M.HOSTED_EVENT: (3, 6), M.EXHIBITION: (3, 6),
                      M.ONLINE: (2, 4)}

# --- Visits ------------------------------------------------------------------------

VISITS = 600
# Of them, about this many keep in touch with the investors of open projects (the rest
# go quiet, and the reminders notice).
PROGRESS_VISITS = 90
V = Visit.Intention
INTENTIONS = [(V.HIGH, 2), (V.MEDIUM, 4), (V.LOW, 3), (V.NONE, 1)]
TOPICS = [
    "对方介绍了{product}业务的进展和在华布局计划",
    "对方正在评估长三角的产能布局，关注用地、厂房和人才政策",
    "双方就{cluster}产业链上下游配套进行了交流",
    "对方希望了解综保区的保税政策和通关安排",
    "对方计划扩大研发团队，考虑设立区域研发中心",
    "对方关心供应链本地化和客户就近服务",
    "对方介绍了新一代产品路线图，询问中试和量产的场地条件",
]
INTENTION_TEXT = {
    V.HIGH: "对方投资意向明确，希望尽快来锡实地考察。",
    V.MEDIUM: "对方表示有兴趣，需经总部内部评估。",
    V.LOW: "对方近期没有新的投资计划，双方约定保持联系。",
    V.NONE: "本次以信息交流为主，暂无具体合作意向。",
}
NEXT_STEPS = {
    V.HIGH: ["安排来锡实地考察{park}", "起草投资合作意向书", "对接{park}厂房方案并报价", "整理项目评估材料报局务会"],
    V.MEDIUM: ["发送{park}载体资料和产业政策汇编", "邀请参加下一场专题推介会", "约定下次会谈时间"],
    V.LOW: ["每季度电话回访一次", "推送园区最新政策"],
    V.NONE: ["", "保持联系"],
}

# --- Projects ----------------------------------------------------------------------

S = Stage
# Final stages of the projects above 1亿 and of the smaller ones.
STAGE_COUNTS_LARGE = {S.LEAD: 16, S.NEGOTIATING: 24, S.SIGNED: 24, S.STARTED: 32, S.COMPLETED: 16, S.PRODUCING: 22,
                      S.ON_HOLD: 9, S.DROPPED: 7}
STAGE_COUNTS_SMALL = {S.LEAD: 5, S.NEGOTIATING: 4, S.SIGNED: 3, S.STARTED: 3, S.PRODUCING: 3, S.DROPPED: 2}
MAJOR_PROJECTS = 25
# Days from one stage to the next (low, high); also how far ahead the next one is planned.
GAPS = {S.NEGOTIATING: (7, 90), S.SIGNED: (20, 180), S.STARTED: (20, 180), S.COMPLETED: (150, 480),
        S.PRODUCING: (10, 120), S.ON_HOLD: (20, 200), S.DROPPED: (15, 200)}
RESUME_GAP = (30, 150)
# How many days ago, at most, a project reached the stage it is at now.
RECENT = {S.LEAD: 150, S.NEGOTIATING: 200, S.SIGNED: 180, S.STARTED: 300, S.COMPLETED: 200, S.PRODUCING: 400,
          S.ON_HOLD: 250, S.DROPPED: 400}
HOLD_REASONS = ["投资方总部战略调整，项目暂缓", "用地指标尚未落实", "环评方案需要调整，等待专家评审", "投资方融资进度不及预期"]
# Why dropped projects were lost: (loss reason, note); those that went to another
# location go, in turn, to the competing locations below.
DROP_REASONS = [
    ("other_location", "投资方最终选择落户其他地区，对方给出的土地和厂房条件更优"),
    ("strategy", "市场环境变化，投资方取消扩产计划"),
    ("policy", "项目能耗指标无法满足要求"),
    ("financing", "投资方融资未到位，项目暂无资金来源"),
]
LOST_TO = ["苏州工业园区", "合肥高新区", "上海临港新片区", "苏州工业园区", "常州武进高新区"]
REPLAN_REASONS = ["施工许可办理时间延长", "设备进口交期推迟", "投资方调整建设节奏", "雨季影响土建施工"]
# A visit that follows up an open project: what was discussed, next step.
PROGRESS = {
    S.LEAD: [("了解投资方内部立项进度，对方正在编制可行性研究报告。", "提供区域产业配套和用地资料"),
             ("对方介绍了集团投资决策流程，预计下季度上会。", "约请对方高层来锡考察")],
    S.NEGOTIATING: [("就投资协议条款、用地指标和扶持政策进行磋商，双方分歧已基本消除。", "报局务会审议协议文本"),
                    ("对方提出厂房定制和人才公寓需求，我方答复了初步方案。", "协调园区出具厂房定制方案")],
    S.SIGNED: [("协调项目公司注册和施工许可办理，对方设计院已进场。", "跟进施工图审查"),
               ("对方确认设备采购计划，关注进口设备通关安排。", "对接海关和综保区管理部门")],
    S.STARTED: [("现场查看施工进度，主体结构已过半，协调解决水电气接入问题。", "督促施工单位排定节点计划"),
                ("对方反映施工用电容量不足，已转供电部门协调。", "一周后回访落实情况")],
    S.COMPLETED: [("协调竣工验收和设备调试，对方正在招聘一线员工。", "对接人社部门组织专场招聘会"),
                  ("了解试生产准备，对方希望尽快办理排污许可。", "协调生态环境部门提前指导")],
}  # fmt: skip
RESIDENT_OFFICES = ["上海驻点", "深圳驻点", "北京驻点"]
INQUIRIES = ["官网留言咨询", "招商热线来电", "市投资促进中心转来"]
# fmt: on
