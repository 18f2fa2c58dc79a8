#include "db_kong.h"

int db_kong_document(struct kb *kb, const struct kb_product *kong, const struct version *release,
                     const struct spec_document **doc, gh_error *err)
{
    /* The open-source edition where it has the release (to 3.9), Enterprise after. */
    const char *edition = kb_usual_edition(kong);
    if (edition && !kb_edition_exists(kong, edition, release))
        edition = kb_edition_find(kong, "enterprise");
    const char *router = kb_default_router_flavor(kong, release);
    struct target t = {.version = *release,
                       .flavor = FLAVOR_DBEXPORT,
                       .router_flavor =
                           router ? kb_router_flavor_find(kong, release, router) : NULL,
                       .edition = edition};
    return kb_compile(kb, kong, &t, doc, err);
}
