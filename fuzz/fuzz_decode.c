/*
 * fuzz_decode.c - the input side of the harness, which every finding
 * passes through: the raw decoder (total: every byte string decodes), its
 * inverse the encoder, the gstorm file loader (strict: a damaged file is
 * refused, never misread), and the scenario text parser with its round
 * trip parse -> format -> parse. Any broken round trip aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

enum { MAX_TEXT = 1 << 20 }; /* a formatted scenario fits easily */

static rt_scenario a, b;
static char text1[MAX_TEXT], text2[MAX_TEXT];
static uint8_t enc[64 * 1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return fuzz_init();
}

/* broken reports a broken round trip and aborts: the finding. */
static _Noreturn void broken(const char *what)
{
    fprintf(stderr, "gstorm fuzz_decode: %s\n", what);
    abort();
}

/* sameformat formats x and y and checks that the texts are equal. */
static void sameformat(const rt_scenario *x, const rt_scenario *y,
                       const char *what)
{
    size_t n1 = rt_scenario_format(x, text1, sizeof text1);
    size_t n2 = rt_scenario_format(y, text2, sizeof text2);

    if (n1 >= sizeof text1 || n2 >= sizeof text2)
        broken("a formatted scenario is larger than 1 MiB");
    if (n1 != n2 || memcmp(text1, text2, n1) != 0)
        broken(what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sched, *s2;
    size_t nsched, n2, len;
    char err[GS_ERRLEN];

    fuzz_ranrt = 0;
    /* Raw: decode, encode, decode again: the same scenario and schedule. */
    gs_input_decode(data, size, &a, &sched, &nsched);
    len = gs_input_encode(&a, sched, nsched, enc, sizeof enc);
    if (len == 0 || len > sizeof enc)
        broken("a decoded scenario cannot be encoded");
    gs_input_decode(enc, len, &b, &s2, &n2);
    if (n2 != nsched || (nsched > 0 && memcmp(sched, s2, nsched) != 0))
        broken("encode/decode changed the schedule");
    sameformat(&a, &b, "encode/decode changed the scenario");
    /* File: whatever loads must load the same twice and format. */
    if (gs_input_load(data, size, &a, &sched, &nsched, err, sizeof err) ==
        RT_OK) {
        gs_input_load(data, size, &b, &s2, &n2, err, sizeof err);
        sameformat(&a, &b, "loading the same bytes twice differs");
    }
    /* Text: what parses formats to text that parses to the same. */
    if (rt_scenario_parse((const char *)data, size, &a, err, sizeof err) ==
        RT_OK) {
        size_t n = rt_scenario_format(&a, text1, sizeof text1);
        if (n >= sizeof text1)
            broken("a formatted scenario is larger than 1 MiB");
        if (rt_scenario_parse(text1, n, &b, err, sizeof err) != RT_OK) {
            fprintf(stderr, "formatted text does not parse: %s\n", err);
            broken("parse -> format -> parse failed");
        }
        sameformat(&a, &b, "parse -> format -> parse changed the scenario");
    }
    return 0;
}
