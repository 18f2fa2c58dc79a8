/*
 * The packed knowledge (schema_pack.h): written at build time from a checked knowledge base,
 * turned back into node trees at run time.
 */
#include "schema_pack.h"

#include <stdlib.h>
#include <string.h>

#include "schema_kb.h"
#include "util/util_arena.h"
#include "util/util_array.h"
#include "util/util_strmap.h"

/* ---- reading: packed nodes back into a tree ---------------------------------------------- */

static void unpack_value(const struct kb_packed_node *pn, struct node *n)
{
    int64_t i;
    uint64_t bits = (uint64_t)pn->v[0] | (uint64_t)pn->v[1] << 32;
    switch (n->type) {
    case SCALAR_INT:
        memcpy(&i, &bits, sizeof(i));
        n->v.i = i;
        break;
    case SCALAR_FLOAT:
        memcpy(&n->v.f, &bits, sizeof(n->v.f));
        break;
    case SCALAR_BOOL:
        n->v.b = bits != 0;
        break;
    default:
        break;
    }
}

struct node *kb_packed_tree(const struct kb_packed *k, uint32_t root, struct arena *a)
{
    uint32_t n = k->nodes[root].end - root;
    struct node *nodes = arena_alloc(a, n * sizeof(*nodes)); /* every field is written below */
    if (!nodes)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        const struct kb_packed_node *pn = &k->nodes[root + i];
        struct node *d = &nodes[i];
        *d = (struct node){.kind = pn->kind,
                           .type = pn->type,
                           .style = pn->style,
                           .flags = pn->flags,
                           .count = pn->count,
                           .span = pn->span};
        const uint32_t *kids = k->kids + pn->ref;
        if (pn->kind == NODE_SCALAR) {
            d->u.text = k->strings + pn->ref;
            unpack_value(pn, d);
        } else if (pn->kind == NODE_SEQUENCE) {
            if (!(d->u.items = arena_alloc(a, pn->count * sizeof(*d->u.items))) && pn->count)
                return NULL;
            for (uint32_t j = 0; j < pn->count; j++)
                d->u.items[j] = &nodes[kids[j] - root];
        } else {
            if (!(d->u.pairs = arena_alloc(a, pn->count * sizeof(*d->u.pairs))) && pn->count)
                return NULL;
            for (uint32_t j = 0; j < pn->count; j++)
                d->u.pairs[j] =
                    (struct node_pair){&nodes[kids[2 * j] - root], &nodes[kids[2 * j + 1] - root]};
        }
    }
    return nodes;
}

/* ---- writing: a loaded knowledge base as C arrays ---------------------------------------- */

struct packer {
    struct kb_packed_node *nodes;
    size_t nnodes, nodes_cap;
    uint32_t *kids;
    size_t nkids, kids_cap;
    char *strings;
    size_t nstrings, strings_cap;
    struct strmap seen; /* text -> offset in strings: each text is kept once */
    struct kb_packed_file *files;
    size_t nfiles, files_cap;
    struct kb_packed_product *products;
    size_t nproducts;
};

/* The offset of text in strings, added when new; -1 when memory ran out. */
static int64_t pack_string(struct packer *pk, const char *text, size_t len)
{
    uint32_t existing;
    int rc = strmap_put(&pk->seen, text, len, (uint32_t)pk->nstrings, &existing);
    if (rc <= 0)
        return rc < 0 ? -1 : (int64_t)existing;
    while (pk->strings_cap - pk->nstrings < len + 1) {
        size_t cap = pk->strings_cap ? pk->strings_cap * 2 : 65536;
        char *grown = realloc(pk->strings, cap);
        if (!grown)
            return -1;
        pk->strings = grown;
        pk->strings_cap = cap;
    }
    int64_t at = (int64_t)pk->nstrings;
    memcpy(pk->strings + pk->nstrings, text, len);
    pk->strings[pk->nstrings + len] = '\0';
    pk->nstrings += len + 1;
    return at;
}

static void pack_value(const struct node *n, struct kb_packed_node *pn)
{
    uint64_t bits = 0;
    if (n->type == SCALAR_INT)
        memcpy(&bits, &n->v.i, sizeof(bits));
    else if (n->type == SCALAR_FLOAT)
        memcpy(&bits, &n->v.f, sizeof(bits));
    else if (n->type == SCALAR_BOOL)
        bits = n->v.b;
    pn->v[0] = (uint32_t)bits;
    pn->v[1] = (uint32_t)(bits >> 32);
}

/* Appends n and its subtree in preorder; its index, or -1 when memory ran out. */
static int64_t pack_node(struct packer *pk, const struct node *n)
{
    struct kb_packed_node *grown =
        array_grow(pk->nodes, &pk->nodes_cap, pk->nnodes, sizeof(*pk->nodes), 4096);
    if (!grown)
        return -1;
    pk->nodes = grown;
    size_t at = pk->nnodes++;
    struct kb_packed_node pn = {n->kind, n->type, n->style, n->flags, n->count,
                                n->span, 0,       0,        {0, 0}};
    if (n->kind == NODE_SCALAR) {
        int64_t text = pack_string(pk, n->u.text, n->count);
        if (text < 0)
            return -1;
        pn.ref = (uint32_t)text;
        pack_value(n, &pn);
    } else {
        size_t nkids = n->kind == NODE_SEQUENCE ? n->count : 2 * (size_t)n->count;
        pn.ref = (uint32_t)pk->nkids;
        while (pk->kids_cap - pk->nkids < nkids) {
            uint32_t *k = array_grow(pk->kids, &pk->kids_cap, pk->kids_cap, sizeof(*k), 4096);
            if (!k)
                return -1;
            pk->kids = k;
        }
        pk->nkids += nkids;
        for (size_t j = 0; j < nkids; j++) {
            const struct node *kid = n->kind == NODE_SEQUENCE ? n->u.items[j]
                                     : j % 2                  ? n->u.pairs[j / 2].value
                                                              : n->u.pairs[j / 2].key;
            int64_t index = pack_node(pk, kid);
            if (index < 0)
                return -1;
            pk->kids[pn.ref + j] = (uint32_t)index;
        }
    }
    pn.end = (uint32_t)pk->nnodes;
    pk->nodes[at] = pn;
    return (int64_t)at;
}

static int pack_file(struct packer *pk, const struct kb_file *f, enum kb_packed_role role)
{
    struct kb_packed_file *grown =
        array_grow(pk->files, &pk->files_cap, pk->nfiles, sizeof(*pk->files), 64);
    if (!grown)
        return -1;
    pk->files = grown;
    int64_t path = pack_string(pk, f->path, strlen(f->path));
    int64_t name = f->name ? pack_string(pk, f->name, strlen(f->name)) : (int64_t)UINT32_MAX;
    int64_t root = pack_node(pk, f->root);
    if (path < 0 || name < 0 || root < 0)
        return -1;
    pk->files[pk->nfiles++] =
        (struct kb_packed_file){role, (uint32_t)path, (uint32_t)name, (uint32_t)root};
    return 0;
}

static int pack_product(struct packer *pk, const struct kb_product *p,
                        struct kb_packed_product *out)
{
    int64_t name = pack_string(pk, p->name, strlen(p->name));
    if (name < 0)
        return -1;
    out->name = (uint32_t)name;
    out->first_file = (uint32_t)pk->nfiles;
    const struct {
        const struct kb_file *f;
        enum kb_packed_role role;
    } fixed[] = {{&p->product, KB_PACKED_PRODUCT},
                 {&p->document, KB_PACKED_DOCUMENT},
                 {&p->typedefs, KB_PACKED_TYPEDEFS},
                 {&p->upgrades, KB_PACKED_UPGRADES},
                 {&p->plan, KB_PACKED_PLAN}};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (fixed[i].f->root && pack_file(pk, fixed[i].f, fixed[i].role) < 0)
            return -1;
    for (size_t i = 0; i < p->nentities; i++)
        if (pack_file(pk, &p->entities[i], KB_PACKED_ENTITY) < 0)
            return -1;
    for (size_t i = 0; i < p->nplugins; i++)
        if (pack_file(pk, &p->plugins[i], KB_PACKED_PLUGIN) < 0)
            return -1;
    out->end_file = (uint32_t)pk->nfiles;
    return 0;
}

static void write_nodes(const struct packer *pk, FILE *out)
{
    fprintf(out, "static const struct kb_packed_node nodes[] = {\n");
    for (size_t i = 0; i < pk->nnodes; i++) {
        const struct kb_packed_node *n = &pk->nodes[i];
        fprintf(out, "{%u,%u,%u,%u,%u,{%u,%u,%u,%u},%u,%u,{%uu,%uu}},\n", n->kind, n->type,
                n->style, n->flags, n->count, n->span.line, n->span.column, n->span.end_line,
                n->span.end_column, n->ref, n->end, n->v[0], n->v[1]);
    }
    fprintf(out, "{0}};\n");
}

static void write_kids(const struct packer *pk, FILE *out)
{
    fprintf(out, "static const uint32_t kids[] = {\n");
    for (size_t i = 0; i < pk->nkids; i++)
        fprintf(out, "%u,%s", pk->kids[i], i % 16 == 15 ? "\n" : "");
    fprintf(out, "0};\n");
}

/* Bytes as numbers: no string literal grows past what ISO C promises to take. */
static void write_strings(const struct packer *pk, FILE *out)
{
    fprintf(out, "static const char strings[] = {\n");
    for (size_t i = 0; i < pk->nstrings; i++)
        fprintf(out, "%d,%s", (int)(signed char)pk->strings[i], i % 24 == 23 ? "\n" : "");
    fprintf(out, "0};\n");
}

static void write_tables(const struct packer *pk, FILE *out)
{
    fprintf(out, "static const struct kb_packed_file files[] = {\n");
    for (size_t i = 0; i < pk->nfiles; i++)
        fprintf(out, "{%u,%u,%uu,%u},\n", pk->files[i].role, pk->files[i].path, pk->files[i].name,
                pk->files[i].root);
    fprintf(out, "{0}};\nstatic const struct kb_packed_product products[] = {\n");
    for (size_t i = 0; i < pk->nproducts; i++)
        fprintf(out, "{%u,%u,%u},\n", pk->products[i].name, pk->products[i].first_file,
                pk->products[i].end_file);
    fprintf(out,
            "{0}};\n\nconst struct kb_packed kb_builtin_knowledge = {\n"
            "    nodes, kids, strings, files, products, %zu, %zu, %zu, %zu, %zu};\n",
            pk->nnodes, pk->nkids, pk->nstrings, pk->nfiles, pk->nproducts);
}

static void packer_release(struct packer *pk)
{
    free(pk->nodes);
    free(pk->kids);
    free(pk->strings);
    free(pk->files);
    free(pk->products);
    strmap_release(&pk->seen);
}

int kb_pack_write(const struct kb *kb, FILE *out)
{
    struct packer pk = {0};
    strmap_init(&pk.seen);
    int rc = (pk.products = calloc(kb->nproducts + 1, sizeof(*pk.products))) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < kb->nproducts; i++, pk.nproducts++)
        rc = pack_product(&pk, &kb->products[i], &pk.products[i]);
    if (rc == 0 && (pk.nnodes > UINT32_MAX / 2 || pk.nstrings > UINT32_MAX / 2))
        rc = -1;
    if (rc == 0) {
        fprintf(out, "/* Generated by src/tools/kbgen.c from schemas/; do not edit. */\n"
                     "#include \"schema/schema_pack.h\"\n\n");
        write_nodes(&pk, out);
        write_kids(&pk, out);
        write_strings(&pk, out);
        write_tables(&pk, out);
    }
    packer_release(&pk);
    return rc;
}
