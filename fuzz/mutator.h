/*
 * mutator.h - the structure-aware mutator of fuzz_interleave's raw inputs
 * (mutator.c), one implementation behind both engines: libFuzzer's
 * LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver (in the libFuzzer
 * build of fuzz_interleave) and AFL++'s custom mutator library
 * (afl_custom_init / afl_custom_fuzz / afl_custom_deinit, built as
 * libgstorm_mutator.so in the afl preset).
 *
 * An input is split into its parts as gs_input_decode reads them (the
 * configuration bytes, the programs and their instructions, the started
 * goroutines, the schedule), changed a whole part at a time, joined, and
 * decoded and re-encoded (gs_input_encode) into the raw format's
 * canonical bytes. The raw format is total, so every output decodes; the
 * mutators make every output differ from its input.
 */
#ifndef GSTORM_MUTATOR_H
#define GSTORM_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * gs_mutate mutates the raw input data[0..size) in place, to at most
 * maxsize bytes, with randomness from seed (the same arguments give the
 * same output). Returns the new size (at least 1 when maxsize is).
 */
size_t gs_mutate(uint8_t *data, size_t size, size_t maxsize, unsigned seed);

/*
 * gs_crossover writes into out (at most maxout bytes) a mix of the raw
 * inputs d1 and d2: d1 with programs, starts or schedule spliced in from
 * d2, then mutated once more half of the time. Returns the size written.
 */
size_t gs_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                    uint8_t *out, size_t maxout, unsigned seed);

#endif /* GSTORM_MUTATOR_H */
