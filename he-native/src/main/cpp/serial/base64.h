// Standard base64 (RFC 4648 alphabet, '=' padding) for the JSON form of ciphertexts: requests carry the
// ciphertext as a base64 string, and responses are written as base64 straight into the response body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace veil::he::serial {

// Characters encode_base64 writes for n input bytes (always padded to a multiple of four).
std::size_t base64_encoded_size(std::size_t n);

// Writes base64_encoded_size(n) characters to out.
void encode_base64(const std::uint8_t *in, std::size_t n, std::uint8_t *out);

// Decodes text into out (replacing its contents). Spaces, tabs, CR and LF are skipped anywhere; padding is
// optional but, when present, only whitespace may follow it. Throws naming the first offending character's
// offset on anything else. out never grows beyond 3/4 of the text's length.
void decode_base64(const std::uint8_t *text, std::size_t size, std::vector<std::uint8_t> &out);

} // namespace veil::he::serial
