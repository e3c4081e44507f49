"""The plan's text as loaded by the data migration (docs/spec/plan.md, plan-text.md): the 14
responsible departments with their alternative spellings and task-force roles, the 8 tasks with
their lead (★) and co-responsible (●) departments, and the 21 sub-items. A draft: the office edits
the loaded rows afterwards; this module is only the starting point (`load_plan`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (name, aliases, task-force role, hosts the office)
DEPARTMENTS = [
    ("市卫健局", ["市卫生健康局"], "leader", True),
    ("市教育局", [], "deputy", False),
    ("市发改局", [], "deputy", False),
    ("市财政局", [], "deputy", False),
    ("市人社局", ["市人力社保局"], "member", False),
    ("市总工会", [], "member", False),
    ("市资规局", ["市自然资源和规划局"], "member", False),
    ("市住建局", [], "member", False),
    ("市民政局", [], "member", False),
    ("市工商联", [], "member", False),
    ("市残联", [], "member", False),
    ("市公安局", [], "member", False),
    ("市市场监督局", ["市市场监管局"], "member", False),
    ("市消防局", [], "member", False),
]

# number -> (title, text, lead, co-responsible, [(sub-item number, title, text)])
TASKS = {
    1: (
        "探索生育家庭托育费用保障机制",
        "针对对符合条件的生育家庭限时限量发放托育券，用于抵扣托育服务费用，减轻家庭养育负担，刺激需求端，提高家庭送托率。将托育券制度与扩内需、提振消费、推动经济高质量发展等政策相结合，形成政策合力，提高政策效益。",
        "市卫健局",
        [],
        [],
    ),
    2: (
        "完善托育综合服务能力体系",
        "",
        "市卫健局",
        ["市教育局", "市人社局", "市总工会"],
        [
            (
                1,
                "提升市托育综合服务中心",
                "1.提升市托育综合服务中心：充分发挥市托育综合服务中心示范引领、指导、培训作用，打造乐清特色明显的标志性服务，为托育发展提供政策咨询和专业指导，开展托育产品研发和专业课程设计。",
            ),
            (
                2,
                "深化校地合作加强培训指导",
                "2.深化校地合作加强培训指导：依托乐清市托育综合服务中心，联合温州大学、温州市中等幼儿师范学校、乐清市婴幼儿照护服务指导中心等开展托育机构从业人员培训，提升婴幼儿照护服务机构专业化水平，完善托育从业人员职前职后培训体系。",
            ),
            (
                3,
                "强化师资队伍和阵地建设",
                "3.强化师资队伍和阵地建设：开展形式多样的托育从业人员技能竞赛活动，支持市托育综合服务中心申请专业技术人员继续教育基地，为托育服务人员提供更多的学习和发展机会。鼓励医疗卫生机构、托育机构、行业协会等共享优质公益课程，实现“线上理论学习+线下实操技能”相结合。",
            ),
        ],
    ),
    3: (
        "推进托幼一体化深度发展",
        "",
        "市教育局",
        ["市卫健局"],
        [
            (
                1,
                "扩增托幼一体园所",
                "1.扩增托幼一体园所：加强部门协同配合，鼓励有条件的幼儿园办托，全市普惠性幼儿园开设托班率达60%，托幼一体托位占比65%，新增普惠性托位数100个以上。充分利用现有教育资源，提高资源利用效率。",
            ),
            (
                2,
                "创新“六位一体”管理模式",
                "2.创新“六位一体”管理模式：制定年度托育教育一体化重点工作计划，加快推进资源供给一体化、行政管理一体化、卫生保健一体化、人才培养一体化、便民服务一体化、家庭指导一体化，有效破解政策、体制、布局、人才等方面的堵点难点；建立教育、卫健部门联合审批与年检机制，进一步加强我市幼儿园和托育机构卫生保健工作。鼓励放开幼儿园变更登记许可范围，营业范围由 3-6 岁变更为 0-6 岁，试点探索打通 0-6岁幼儿保育和教育服务。",
            ),
        ],
    ),
    4: (
        "打造社区嵌入式托育服务网络",
        "",
        "市卫健局",
        ["市发改局", "市财政局", "市资规局", "市住建局"],
        [
            (
                1,
                "规划布局社区托育设施",
                "1.规划布局社区托育设施：新建社区按照每千人10个托位的标准，实现托育服务设施同步规划、同步建设、同步验收、同步交付。既有社区努力实现婴幼儿照护服务机构基本全覆盖，结合未来社区建设、老旧小区改造、“一老一小”场景等同步布局托育设施，确保托育设施的合理布局和有效供给。",
            ),
            (
                2,
                "利用闲置资源",
                "2.利用闲置资源：改建、扩建社区因地制宜，采取托育机构、共育驿站及家庭托育点等多种形式，灵活补齐托育服务设施短板，确保托育资源的高效配置与可持续运营。依据《乐清市财政局 乐清市民政局 乐清市卫生健康局关于支持利用市管国有企业自有物业开展养老托育服务的通知》（乐财国企管〔2024〕61号），积极寻求国有资产闲置房源，采取财政补助、减免租金等政策措施优先支持普惠性托育服务机构发展。",
            ),
            (
                3,
                "鼓励多元主体参与",
                "3.鼓励多元主体参与：通过3岁以下婴幼儿照护服务机构民生实事项目工程，打造一批标准化建设、规范化管理的普惠性托育机构，全力构建家庭照护、幼儿园办托、社区统筹、社会兴办、单位自建等“5+X”普惠性婴幼儿照护服务体系，形成多元化、多层次的托育服务供给格局。",
            ),
        ],
    ),
    5: (
        "优化托育服务精准供给",
        "",
        "市卫健局",
        ["市教育局"],
        [
            (
                1,
                "动态调整供给结构",
                "1.动态调整供给结构：根据城乡的不同托育服务需求，按照调存量优增量原则，重点加大服务需求相对较高的主城（镇）区的托育服务供给，适度增加“小月龄”托位。",
            ),
            (
                2,
                "提高配置效率",
                "2.提高配置效率：合理引导农村地区托育服务需求，优化农村地区幼儿园托位结构，提高托位配置效率，确保托育资源的充分利用。",
            ),
        ],
    ),
    6: (
        "健全普惠托育保障机制",
        "",
        "市发改局",
        ["市教育局", "市民政局", "市财政局", "市卫健局", "市工商联"],
        [
            (
                1,
                "价格监管体系",
                "1.价格监管体系：制定公办托育收费标准，推动完善普惠托育机构收费管理，确保托育服务价格合理稳定。",
            ),
            (
                2,
                "运营补助体系",
                "2.运营补助体系：结合我市实际，制定《乐清市普惠性托育机构认定及等级评定实施细则》，推进托育机构星级评定工作。",
            ),
            (
                3,
                "报销保障政策",
                "3.报销保障政策：落实职工子女入托保育费用报销政策，降低职工家庭托育成本。",
            ),
            (
                4,
                "加强示范引领",
                "4.加强示范引领：成立乐清市托育行业协会，促进行业自律。建设一批管理规范、服务模式可复制的示范单位，充分发挥示范引领、带动辐射作用，及时总结推广好的经验和做法，完善相关政策措施，不断提高我市普惠托育服务整体水平。",
            ),
        ],
    ),
    7: (
        "深化医育结合模式",
        "",
        "市卫健局",
        ["市残联"],
        [
            (
                1,
                "医育融合大发展",
                "1.医育融合大发展：加强儿童保健服务与托育服务指导的融合发展，充分发挥市妇幼保健院和市托育综合服务中心的技术支撑作用，健全健康指导员制度，搭建县级-镇街卫生院（社区卫生服务中心）-托育机构三级指导网络，儿童保健医生派驻托育机构兼职健康指导员。健康指导员对婴幼儿营养与喂养、生长发育、心理健康等进行健康宣教、专业指导和咨询服务。同时将养育照护服务活动小组、儿童早期发育筛查、婴幼儿风险评估和阳性个案家访等项目纳入基本公共卫生服务项目，积极推进“医育融合”、“医养教融合”。",
            ),
            (
                2,
                "签约服务全覆盖",
                "2.签约服务全覆盖：实施基层医疗卫生机构与托育机构“1+1”订单签约，提供健康宣教、疫苗接种、生长发育监测等服务。探索“医育跟诊”新模式，定期组织托育从业人员到基层医疗卫生机构参加“医育跟诊”学习，提升其专业素养和服务能力。",
            ),
            (
                3,
                "特殊儿童融合服务",
                "3.特殊儿童融合服务：开展“融合托育”服务，依托市托育综合服务中心专业优势，对发育迟缓等特殊婴幼儿提供个性化帮扶服务，促进其健康成长。",
            ),
            (
                4,
                "提升家庭育儿能力",
                "4.提升家庭育儿能力：组建由儿科医生、营养师、托育专家等专业人员构成的婴幼儿照护服务讲师团，推广婴幼儿养育照护活动进社区、进医院、进机构，全面提升家庭科学育儿技能，普及科学育儿知识，提升家庭育儿能力，全年全市开展不少于400场养育照护小组活动，受益家庭数不少于3000个。",
            ),
        ],
    ),
    8: (
        "强化安全监管能力建设",
        "",
        "市卫健局",
        ["市发改局", "市公安局", "市市场监督局", "市消防局"],
        [
            (
                1,
                "落实主体责任，建立信息公示制度",
                "1.落实主体责任，建立信息公示制度。明确托育机构对安全管理、幼儿健康管理、人员管理等主体责任，确保托育服务的安全可靠，建立托育机构信息公示制度，及时公开托育机构的相关信息，接受社会监督。",
            ),
            (
                2,
                "纳入公共安全保障范围，落实安全管理标准",
                "2.纳入公共安全保障范围，落实安全管理标准。鼓励托育机构安装一键式报警器，成为安全防护的“第一道防线”，同时，公安和消防部门加强对托育机构的日常安全防范指导工作，将其纳入地方公共安全重点保障范围，确保安全稳定运行。严格执行有关消防、食品等安全管理标准，重大节假日联合消防、市监等多部门开展节前检查，确保托育机构的安全卫生条件达标。",
            ),
            (
                3,
                "立体化监管网络，建立诚信数字化档案",
                "3.立体化监管网络，建立诚信数字化档案。依托基层医疗卫生机构健康指导员队伍，实行托育机构月巡查、季指导、年年检制度。定期对托育机构开展安全巡查和“双随机、一公开”监督抽查，及时发现并整改安全隐患。依托“浙有善育”智慧托育婴育数字化集成应用平台，建立托育机构从业人员信用追溯机制，落实侵害未成年人案件强制报告制度，提高监管效率和透明度。",
            ),
        ],
    ),
}

# Indicators the plan's own words match (plan.md §8 notes): at task level for task 1, which has
# no sub-items, otherwise per sub-item "n.m".
INDICATORS = {
    "1": ["K13_issued", "K13_redeemed", "K13_use", "K13_families", "K15"],
    "3.1": ["K7", "K3", "K8"],
    "4.1": ["K10"],
    "5.1": ["K16"],
    "7.2": ["K11"],
    "7.4": ["K9_sessions", "K9_families"],
    "8.2": ["K17"],
    "8.3": ["K12a", "K12b", "K12c", "K12d"],
}

# The deliverables the plan names (plan.md §8): (name, where, task number or None, phase, owner).
# Dates are plan silent except the phases named.
DELIVERABLES = [
    ("《乐清市普惠托育基本公共服务试点工作方案》", "二(一)", None, "start_up", "工作专班"),
    ("年度托育教育一体化重点工作计划", "三(三)2", 3, "", "任务三责任单位（牵头：市教育局）"),
    ("公办托育收费标准", "三(六)1", 6, "", "任务六责任单位（牵头：市发改局）"),
    ("《乐清市普惠性托育机构认定及等级评定实施细则》", "三(六)2", 6, "", "任务六责任单位"),
    ("乐清市托育行业协会（成立）", "三(六)4", 6, "", "任务六责任单位"),
    ("婴幼儿照护服务讲师团（组建）", "三(七)4", 7, "", "任务七责任单位"),
    ("普惠托育服务基本公共服务目录清单；规范化的服务流程和质量标准", "一(五)", None, "", ""),
    ("水电优惠政策（探索出台）", "四(三)", None, "", ""),
    ("试点工作经验总结；迎接省级评估验收", "二(三)", None, "evaluation", ""),
]

# The funds of plan.md §5: (kind, name, purpose as the plan says it).
FUNDS = [
    ("central_budget", "中央预算内投资", "支持公办托育服务设施建设"),
    ("special_bonds", "地方专项债", "支持公办托育服务设施建设"),
    ("local_fiscal", "地方财政投入", "用于支持托育机构建设、运营补贴等方面"),
    (
        "provincial_subsidy",
        "省补资金",
        "主要用于托育机构奖补、托育券发放、托育服务宣传月系列活动、市托育综合中心提升工程、"
        "“融合托育”、人员培训等",
    ),
]


def load_plan(get_model: Callable[[str], Any]) -> None:
    """Load the rows above where they are missing (the data migration; tests put them back after
    a transactional test emptied the tables). Idempotent; never overwrites the office's edits."""
    Department = get_model("Department")
    Task = get_model("Task")
    SubItem = get_model("SubItem")
    Deliverable = get_model("Deliverable")
    Fund = get_model("Fund")
    departments = {}
    for order, (name, aliases, role, hosts_office) in enumerate(DEPARTMENTS, start=1):
        departments[name], _ = Department.objects.get_or_create(
            name=name,
            defaults={
                "aliases": aliases,
                "task_force_role": role,
                "hosts_office": hosts_office,
                "order": order,
            },
        )
    tasks = {}
    for number, (title, text, lead, co, sub_items) in TASKS.items():
        task, created = Task.objects.get_or_create(
            number=number,
            defaults={
                "title": title,
                "text": text,
                "lead": departments[lead],
                "indicators": INDICATORS.get(str(number), []),
            },
        )
        tasks[number] = task
        if created:
            task.co_responsible.set([departments[name] for name in co])
        for sub_number, sub_title, sub_text in sub_items:
            SubItem.objects.get_or_create(
                task=task,
                number=sub_number,
                defaults={
                    "title": sub_title,
                    "text": sub_text,
                    "indicators": INDICATORS.get(f"{number}.{sub_number}", []),
                },
            )
    for name, source, task, phase, owner in DELIVERABLES:
        Deliverable.objects.get_or_create(
            name=name,
            defaults={
                "source": source,
                "task": tasks.get(task),
                "phase": phase,
                "owner": owner,
            },
        )
    for kind, name, purpose in FUNDS:
        Fund.objects.get_or_create(name=name, defaults={"kind": kind, "purpose": purpose})
