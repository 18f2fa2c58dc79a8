/*
 * The knowledge of a Kong release as the database commands use it: the entity and plugin
 * schemas compiled for what a database holds (the dbexport flavour, the release's default
 * router flavour, its edition).
 */
#ifndef DB_KONG_H
#define DB_KONG_H

#include "schema/schema.h"

int db_kong_document(struct kb *kb, const struct kb_product *kong, const struct version *release,
                     const struct spec_document **doc, gh_error *err);

#endif
