"""{% freshcache %}: a fragment cache that shows every change at once (see upr.freshness).

    {% load fresh %}
    {% freshcache 600 coalition_dashboard request.membership today LANGUAGE_CODE %} ... {% endfreshcache %}

Like Django's {% cache %}, but without a version to build by hand: the fragment is kept with the
version of every table read while it rendered, and rendered afresh as soon as one is written. A
model instance among the values it varies on (a membership, read by the middleware before the
fragment) adds its id to the key and its table to what the fragment depends on. A {% csrf_token %}
inside the fragment is never cached: it is rendered as a marker, replaced by the request's token.
"""

from __future__ import annotations

import hashlib
import secrets

from django import template
from django.db.models import Model
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context

from .. import freshness

register = template.Library()


class FreshCacheNode(template.Node):
    def __init__(self, nodelist: NodeList, seconds: FilterExpression, name: str, vary_on: list[FilterExpression]) -> None:
        self.nodelist, self.seconds, self.name, self.vary_on = nodelist, seconds, name, vary_on

    def render(self, context: Context) -> str:
        values = [value.resolve(context) for value in self.vary_on]
        models = [type(value) for value in values if isinstance(value, Model)]
        described = "|".join(f"{type(v).__name__}:{v.pk}" if isinstance(v, Model) else str(v) for v in values)
        key = f"template:{self.name}:{hashlib.sha256(described.encode()).hexdigest()}"
        token = context.get("csrf_token")

        def render() -> tuple[str, str]:
            freshness.depends_on(*models)
            marker = "csrf" + secrets.token_hex(16)
            with context.push(csrf_token=marker):
                return marker, self.nodelist.render(context)

        with freshness.Watch() as watch:
            marker, html = watch.cached(key, render, seconds=int(self.seconds.resolve(context)))
        return html.replace(marker, str(token or ""))


@register.tag("freshcache")
def do_freshcache(parser: Parser, token: Token) -> FreshCacheNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("'freshcache' takes at least two arguments: seconds and a name.")
    nodelist = parser.parse(("endfreshcache",))
    parser.delete_first_token()
    return FreshCacheNode(nodelist, parser.compile_filter(bits[1]), bits[2], [parser.compile_filter(b) for b in bits[3:]])
