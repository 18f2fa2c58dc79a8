/*
 * References between files read as one configuration. decK reads every state file it is given
 * (`deck gateway sync a.yaml b.yaml`, or a directory) as one state, and so does ADC (`adc sync
 * -f a.yaml -f b.yaml`): a route in one file may name a service in another. A file checked as
 * one of such a set keeps its names (its index) and the references it reported as not in the
 * file; once every file of the set is checked, across_join() takes back each of those findings
 * that another file of the set answers, and reports what two files both declare (decK merges
 * the files' lists and refuses an entity declared twice: "entity already exists").
 *
 * Invariants: an across_file holds copies only (no pointer into the knowledge base or a
 * file's text), so it may outlive the check and the engine. held[i].seq is the diag.seq of
 * the finding that reported the reference, in the sink of the same file.
 */
#ifndef CHECK_ACROSS_H
#define CHECK_ACROSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check_index.h"
#include "diag/diag.h"
#include "schema/schema.h"

struct across_ref {
    uint32_t seq;      /* the finding that reported it */
    uint8_t target;    /* the entity referred to, by this file's entity numbers */
    const char *value; /* as written; in the file's arena */
    size_t len;
};

struct across_file {
    bool joins;       /* the file takes part: its tool merges the files it is given */
    char product[16]; /* files join only files of the same product */
    /* By this file's entity number (the index's keys start with it); in `strings`. */
    struct across_entity {
        char *name, *singular, *primary_key, *endpoint_key;
        bool endpoint_secret; /* a credential's key: never shown */
    } * entities;
    size_t nentities;
    struct index names; /* every id, endpoint key and unique value the file declares */
    struct across_ref *held;
    size_t nheld, cap;
    struct arena strings; /* the entities and the values of the references held */
    bool failed;          /* out of memory: nothing is taken back, as if the file stood alone */
};

void across_init(struct across_file *f);
void across_release(struct across_file *f);
/* Forgets what an earlier pass over the same file kept. */
void across_reset(struct across_file *f);

/* Whether files of this flavour are read together by the tool that loads them. */
bool across_flavor_joins(enum flavor flavor);

/* What index_resolve() tells of each reference it reports as not in the file: held, when
 * its finding was kept, for another file to answer. */
struct index_unresolved across_listener(struct across_file *f);

/* The file has been read: its names (the index, moved here) and its entity numbers. */
int across_adopt(struct across_file *f, const struct spec_document *doc, struct index *ix);

/*
 * Takes back from sinks[i] each finding files[i] holds whose reference another file of the
 * same product answers; those left say the other files were searched too. Between files
 * linked by such references (directly or through others), an id or endpoint key that an
 * earlier file declares is a repeat in the later one (HOP3002, in sinks[j]; names[i] names
 * file i). Frees every file's names.
 */
void across_join(struct across_file *const *files, struct diag_sink *const *sinks,
                 const char *const *names, size_t n);

#endif
