import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from institutions.models import Township

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Prove a worker runs and reaches the database; leaves the time in the cache."""
    count = Township.objects.count()
    now = timezone.now().isoformat()
    cache.set("celery:last_heartbeat", now, timeout=None)
    logger.info("heartbeat: %s townships", count)
    return f"{count} townships at {now}"
