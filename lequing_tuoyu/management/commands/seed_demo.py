from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lequing_tuoyu import demo


class Command(BaseCommand):
    help = "Load deterministic demo data for Yueqing (refused unless DEBUG or --yes-demo)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--yes-demo",
            action="store_true",
            help="Allow demo data and the published demo password outside DEBUG.",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the demo logins already exist."
        )

    def handle(self, *args, scale: str, seed: int, yes_demo: bool, if_empty: bool, **options):
        if not (settings.DEBUG or yes_demo):
            raise CommandError(
                "拒绝执行：演示数据含公开的演示密码，只能在 DEBUG 模式下或加 --yes-demo 时加载。"
            )
        if if_empty and get_user_model().objects.filter(username="bureau").exists():
            self.stdout.write("演示数据已存在，跳过。 Demo data already loaded; skipped.")
        else:
            result = demo.seed(scale=scale, seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已加载 Demo data loaded: {result.users} users, "
                    f"{result.institutions} institutions, {result.staff} staff, "
                    f"{result.reports} monthly reports, {result.parenting_sessions} parenting sessions "
                    f"(scale={scale}, seed={seed})."
                )
            )
            codes = result.vouchers or {}
            if codes:
                self.stdout.write(
                    "家长查询演示 Family page demo: 券码 code "
                    f"{codes['family_code']} + 身份证后六位 ID suffix {codes['family_id_last6']}"
                )
                self.stdout.write(
                    f"operator1 本月可抵扣的托育券 voucher operator1 can redeem this month: "
                    f"{codes['operator1_code']}"
                )
        self.stdout.write(f"演示账号 Demo logins (password {demo.DEMO_PASSWORD}):")
        for username, role, _display in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role.label}")
