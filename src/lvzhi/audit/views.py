from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lvzhi.org.scoping import scope_for

from .selectors import model_choices, page_of_entries


@login_required
def audit_list(request):
    scope = scope_for(request.user)
    page = page_of_entries(scope, request.GET.get("page"), request.GET.get("model", ""), request.GET.get("actor", ""))
    return render(request, "audit/list.html", {"page": page, "model": request.GET.get("model", ""),
                                               "actor": request.GET.get("actor", ""),
                                               "models": model_choices(scope)})
