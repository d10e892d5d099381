// Error type for everything in veil::he: a message a caller can show as-is.
#pragma once

#include <stdexcept>
#include <string>

namespace veil::he {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws Error(message) when cond is false; keeps validation one line per check.
inline void require(bool cond, const char* message) {
    if (!cond) throw Error(message);
}
inline void require(bool cond, const std::string& message) {
    if (!cond) throw Error(message);
}

}  // namespace veil::he
