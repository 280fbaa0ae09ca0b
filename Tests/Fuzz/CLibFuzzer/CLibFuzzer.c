// The declarations in include/CLibFuzzer.h are libFuzzer's; nothing to define here.
#include "CLibFuzzer.h"
