/*
 * Checks an XML document against an XML Schema with libxml2, for the report tests. Exit 0
 * valid, 1 invalid (libxml2 prints why), 2 the schema could not be read.
 *
 *   xsd_check SCHEMA.xsd DOCUMENT.xml
 */
#include <libxml/xmlschemas.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xsd_check SCHEMA DOCUMENT\n");
        return 2;
    }
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(argv[1]);
    xmlSchemaPtr schema = parser ? xmlSchemaParse(parser) : NULL;
    xmlSchemaFreeParserCtxt(parser);
    if (!schema)
        return 2;
    xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(schema);
    int rc = v ? xmlSchemaValidateFile(v, argv[2], 0) : -1;
    xmlSchemaFreeValidCtxt(v);
    xmlSchemaFree(schema);
    xmlCleanupParser();
    printf("%s\n", rc == 0 ? "valid" : "invalid");
    return rc == 0 ? 0 : rc < 0 ? 2 : 1;
}
