import json
from typing import Any

from django.core.management.base import BaseCommand

from truceline.api import api


class Command(BaseCommand):
    help = "Print the API's OpenAPI document (docs/openapi.json is this, committed)."

    def handle(self, *args: Any, **options: Any) -> None:
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))
