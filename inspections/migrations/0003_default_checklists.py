"""The default checklist of each inspection kind, from the national rules for childcare
institutions: 托育机构设置标准（试行）and 托育机构管理规范（试行）(国卫人口发〔2019〕58号),
托育机构保育指导大纲（试行）, 托儿所幼儿园卫生保健管理办法, and the provincial safety rules.

Bureau staff edit them in the admin; this only fills an empty table (a template of a kind that
already exists is left alone), so re-running it changes nothing.
"""

from django.db import migrations

BASIS = (
    "《托育机构设置标准（试行）》《托育机构管理规范（试行）》（国卫人口发〔2019〕58号）、"
    "《托育机构保育指导大纲（试行）》、《托儿所幼儿园卫生保健管理办法》"
)

# kinds: P patrol 月巡查, G guidance 季指导, A annual 年检, H holiday_joint 节前联合检查,
# S spot_check 双随机抽查.
ITEMS = [
    # area, text, weight, severity when failed, kinds
    ("fire_safety", "消防通道、安全出口畅通，无堵塞、锁闭；疏散指示标志和应急照明完好", 5, "high", "PGAHS"),
    ("fire_safety", "灭火器、消火栓等消防器材按规定配置，在有效期内并每月检查", 4, "high", "PGAHS"),
    ("fire_safety", "婴幼儿生活用房不设在地下室或半地下室，设在三层及以下", 3, "high", "AHS"),
    ("fire_safety", "电气线路规范敷设，无私拉乱接，电动车不在室内停放充电", 3, "high", "PAHS"),
    ("fire_safety", "每季度至少开展一次应急疏散演练，并有记录", 3, "medium", "GAHS"),
    ("fire_safety", "从业人员会报警、会使用灭火器、会组织婴幼儿疏散", 2, "medium", "GAHS"),
    ("food_safety", "持有效食品经营许可或备案，炊事人员持有效健康证", 4, "high", "AHS"),
    ("food_safety", "食品及原料进货查验、索证索票记录完整，无过期变质食品", 4, "high", "PAHS"),
    ("food_safety", "每餐次食品留样，每样不少于125克，冷藏保存48小时以上并记录", 3, "high", "PGAHS"),
    ("food_safety", "餐用具清洗消毒到位，厨房生熟分开，防蝇防鼠设施完好", 3, "medium", "PAHS"),
    ("food_safety", "带量食谱每周向家长公示，膳食符合婴幼儿营养需要", 2, "low", "GAS"),
    ("health_care", "每日晨午检和全日健康观察落实，有记录", 4, "high", "PGAHS"),
    ("health_care", "因病缺勤追踪登记，传染病疫情按规定报告和处置", 3, "high", "PGAS"),
    ("health_care", "婴幼儿入托前健康检查、定期体检和预防接种证查验落实", 3, "medium", "GAS"),
    ("health_care", "配备保健人员，卫生保健室设置和药品管理规范", 3, "medium", "GAS"),
    ("health_care", "活动室、寝室每日通风清洁，玩具、被褥定期消毒并有记录", 3, "medium", "PGAS"),
    ("health_care", "午睡有人值守，防窒息、防跌落、防烫伤等措施落实", 3, "high", "PGAS"),
    ("facilities", "视频监控覆盖婴幼儿活动区、出入口和厨房，运行正常，录像保存不少于90天", 4, "high", "PGAHS"),
    ("facilities", "安装一键式报警装置并与公安联网，运行正常", 3, "high", "PAHS"),
    ("facilities", "门卫值守，来访登记，婴幼儿接送交接制度落实", 3, "high", "PAHS"),
    ("facilities", "门窗、护栏、楼梯扶手牢固，家具玩具无尖角、无有毒有害材料", 3, "medium", "PGAHS"),
    ("facilities", "燃气使用规范，燃气泄漏报警装置完好", 3, "high", "PAHS"),
    ("facilities", "户外活动场地安全，大型玩具和设施设备定期检修", 2, "low", "GAS"),
    ("staffing", "保育人员与婴幼儿比例符合班型要求（乳儿班1:3、托小班1:5、托大班1:7）", 4, "high", "PGAS"),
    ("staffing", "班级规模不超过规定（乳儿班10人、托小班15人、托大班20人、混龄班18人）", 3, "medium", "GAS"),
    ("staffing", "负责人、保育人员、保健人员、炊事人员和保安人员按规定配备", 3, "medium", "GAS"),
    ("staffing", "从业人员持证上岗，健康证在有效期内", 4, "high", "AS"),
    ("staffing", "从业人员入职前经背景查询，无虐童等违法犯罪记录", 4, "high", "AS"),
    ("staffing", "从业人员每年接受岗位培训和安全教育", 2, "low", "GA"),
    ("records", "备案信息与实际一致，收费项目和标准公示", 2, "medium", "AS"),
    ("records", "安全管理制度和突发事件应急预案健全并落实", 3, "medium", "GAHS"),
    ("records", "婴幼儿健康档案、出勤记录完整", 2, "low", "GAS"),
    ("records", "安全隐患排查台账完整，发现的问题整改闭环", 3, "medium", "PGAHS"),
    ("records", "家长沟通制度落实（家长开放日、意见反馈渠道）", 1, "low", "GA"),
]

TEMPLATES = {
    "P": ("patrol", "月巡查检查表（默认）"),
    "G": ("guidance", "季度指导检查表（默认）"),
    "A": ("annual", "年度检查表（默认）"),
    "H": ("holiday_joint", "节前联合检查表（默认）"),
    "S": ("spot_check", "双随机抽查检查表（默认）"),
}


def load(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    for letter, (kind, name) in TEMPLATES.items():
        if Template.objects.filter(kind=kind).exists():
            continue
        template = Template.objects.create(kind=kind, name=name, basis=BASIS, is_active=True)
        Item.objects.bulk_create(
            Item(
                template=template,
                area=area,
                order=(index + 1) * 10,
                text=text,
                weight=weight,
                severity=severity,
            )
            for index, (area, text, weight, severity, kinds) in enumerate(ITEMS)
            if letter in kinds
        )


def unload(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Template.objects.filter(name__in=[name for _kind, name in TEMPLATES.values()]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_harm_incident_trigger")]

    operations = [migrations.RunPython(load, unload)]
