// The server streams' outgoing buffer: latest state wins by default; bounded, it keeps every
// message in order and refuses the one past its capacity (the stream then ends) without growing.
#include <doctest/doctest.h>

#include <string>

#include "adapters/grpc/outgoing_buffer.hpp"

using tt::adapters::rpc::outgoing_buffer;

TEST_CASE("latest state wins: a newer message replaces the unsent one") {
  outgoing_buffer<std::string> b;
  CHECK(b.add("position 9"));
  CHECK(b.add("position 8"));
  CHECK(b.add("position 7"));
  CHECK(b.size() == 1);
  CHECK(*b.take() == "position 7");
  CHECK_FALSE(b.take().has_value());
}

TEST_CASE("bounded: every message in order up to the capacity, the next one refused") {
  outgoing_buffer<int> b;
  b.bound(3);
  CHECK(b.add(1));
  CHECK(b.add(2));
  CHECK(b.add(3));
  CHECK_FALSE(b.add(4)); // the reader fell 3 behind
  CHECK(b.size() == 3);
  CHECK(*b.take() == 1);
  CHECK(b.add(5)); // room again once one was written
  CHECK(*b.take() == 2);
  CHECK(*b.take() == 3);
  CHECK(*b.take() == 5);
  CHECK(b.size() == 0);
}

TEST_CASE("bounded to zero still keeps one, clear empties") {
  outgoing_buffer<int> b;
  b.bound(0);
  CHECK(b.capacity() == 1);
  CHECK(b.add(1));
  CHECK_FALSE(b.add(2));
  b.clear();
  CHECK(b.size() == 0);
  CHECK(b.add(3));
}
