"""The ledger's pages: the public portal (checkpoint, witnesses, keys, split views, a receipt
checker) and a receipt download for the person who made the entry."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truceline.ledger import selectors
from truceline.ledger.models import Event
from truceline.ledger.verify import check_receipt
from truceline.policy import visible_to

MAX_RECEIPT = 256 * 1024


@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    context = selectors.portal()
    status = 200
    if request.method == "POST":
        text = request.POST.get("receipt", "")
        context["receipt_text"] = text
        problems: list[str]
        facts: list[str] = []
        if not text.strip():
            problems = [_("Paste a receipt (the JSON file you downloaded) to check it.")]
        elif len(text) > MAX_RECEIPT:
            problems = [_("That is larger than any receipt.")]
        else:
            try:
                receipt = json.loads(text)
            except ValueError:
                problems = [_("That is not a receipt: it is not JSON.")]
            else:
                problems, facts = check_receipt(receipt, context["trusted"])
        context["check"] = {"ok": not problems, "problems": problems, "facts": facts}
        status = 200 if not problems else 422
    return render(request, "ledger/portal.html", context, status=status)


def receipt_download(request: HttpRequest, seq: int) -> HttpResponse:
    event = visible_to(request.user, Event).filter(seq=seq).first()
    if event is None:
        raise Http404
    answer = JsonResponse(selectors.receipt(event), json_dumps_params={"indent": 1})
    answer["Content-Disposition"] = f'attachment; filename="truceline-receipt-{seq}.json"'
    return answer
