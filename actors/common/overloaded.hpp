#pragma once
/// The std::visit idiom: build one visitor from several lambdas, one per variant alternative.

namespace tt {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

} // namespace tt
