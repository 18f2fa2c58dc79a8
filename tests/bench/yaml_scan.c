/*
 * The benchmark's baseline: a bare libyaml event scan of a file, doing nothing with the
 * events. gatehop's throughput is reported as a ratio to this.   usage: yaml_scan FILE
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    unsigned long events = 0;
    yaml_event_t event;
    int done = 0;
    while (!done) {
        if (!yaml_parser_parse(&parser, &event))
            return 1;
        done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        events++;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    printf("%lu events\n", events);
    return 0;
}
