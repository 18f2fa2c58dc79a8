/*
 * Scalars as the checked gateway's YAML library reads them.
 *
 * The reader types every scalar as lyaml does (Kong; APISIX from 3.10). A release that reads
 * its file with tinyyaml (APISIX 2.15 to 3.9) types far less: each entry is typed again here
 * as that library would, before it is rewritten or checked, so the checks see what the gateway
 * sees. Values the libraries read differently are reported (HOP1003), and so is YAML tinyyaml
 * cannot read at all (HOP1001): a value over several lines, a flow mapping as an item of a
 * block list, a block scalar as a list item (0.4.2), anchors, aliases and merge keys. What
 * only tinyyaml reads (a quoted key with no space after its ':', read leniently by the reader)
 * is HOP1001 wherever a release in play reads the file with another library.
 *
 * For a lyaml release only entries that hold a YAML 1.1 scalar are walked (the reader counts
 * them), so a Kong file pays nothing for this. JSON files are not YAML-typed at all.
 */
#ifndef CHECK_YAML_H
#define CHECK_YAML_H

#include <stdbool.h>

#include "diag/diag.h"
#include "model/model_scalar.h"
#include "reader/reader.h"

struct yaml_typing {
    struct diag_sink *sink;
    bool off;             /* a JSON file: nothing to do */
    enum yaml_lib lib;    /* the checked release's library */
    enum yaml_lib source; /* the source release's: it may read the file otherwise */
    bool named;           /* the product names its libraries (product.yaml yaml_parser) */
    const char *product;  /* "apisix" */
    char version[32];     /* the checked release, "3.9" */
    char source_version[32];
    const char *lyaml_since; /* the first release that reads with lyaml, or NULL */
    /* The first and the last release that read with tinyyaml ("2.15", "3.9"), or NULL. */
    const char *tinyyaml_first, *tinyyaml_last;
};

/* Types the entry's nodes as the checked release's library does, reporting as it goes. */
void yaml_typing_entry(struct yaml_typing *t, const struct reader_entry *e);
/* What the document used that the library does not support; once, after the last entry. */
void yaml_typing_finish(struct yaml_typing *t, const struct reader_yaml_uses *uses);
/* The quoted keys the reader read with no space after their ':' (reader_lenient.h). */
void yaml_typing_lenient(struct yaml_typing *t, const struct lenient_plan *plan);
/* Whether a release in play reads the file with tinyyaml (a YAML file for APISIX 2.15-3.9). */
bool yaml_typing_any_tinyyaml(const struct yaml_typing *t);
/* List items whose first key is quoted on the "- " line: a string to tinyyaml (HOP1001). */
void yaml_typing_dash_keys(struct yaml_typing *t, const struct lenient_key *keys, size_t n);

#endif
