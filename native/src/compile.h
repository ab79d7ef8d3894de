// mt.compile's native side (compile.cc).
#pragma once

namespace mlx_tape {

// Whether a compiled function's JS is being traced on this thread: ops that
// would read global state (random keys) refuse then.
bool Tracing();

}  // namespace mlx_tape
