#ifndef COMPACTD_CLIBFUZZER_H
#define COMPACTD_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer). SwiftPM gives an executable
// its own entry point and defines main to it, so libFuzzer's main is never linked: the
// fuzzer's entry point calls the driver itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
