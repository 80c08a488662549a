from django import template

from instant import queries

register = template.Library()

BLOCK_SIZE = 5


@register.inclusion_tag("instant/_messages_block.html", takes_context=True)
def messages_block(context):
    user = context["request"].user
    rows = list(queries.conversations_for(user)[:BLOCK_SIZE])
    for row in rows:
        row.title = queries.title_for(user, row)
    return {"rows": rows}
