// The event actor's payment book without an actor system: handles are empty typed handles, which
// the book only keeps.
#include "actors/runtime/payment_book.hpp"

#include <doctest/doctest.h>

namespace tt::actors {
namespace {

const auto pending = domain::payment_status::pending;
const auto completed = domain::payment_status::completed;
const auto any = domain::payment_status::unspecified;

/// `owner`'s intent `id` for `reservation`, as its actor last stored it.
domain::payment_state intent(const std::string& id, const std::string& owner,
                             const std::string& reservation, domain::payment_status status) {
  domain::payment_state p;
  p.id = payment_intent_id{id};
  p.owner = user_id{owner};
  p.reservation = reservation_id{reservation};
  p.status = status;
  return p;
}

std::string id_of(const domain::payment_state& p) {
  return p.id();
}
std::string id_of(const payment_intent_id& id) {
  return id();
}
template <class T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const auto& item : items)
    out.push_back(id_of(item));
  return out;
}

} // namespace

TEST_CASE("a user's intents are listed in the order they were made, filtered") {
  payment_book book;
  book.add(intent("p1", "ann", "r1", pending), {});
  book.add(intent("p2", "bob", "r2", pending), {});
  book.add(intent("p3", "ann", "r3", completed), {});
  CHECK(ids_of(book.of_user(user_id{"ann"}, any, {})) == std::vector<std::string>{"p1", "p3"});
  CHECK(ids_of(book.of_user(user_id{"ann"}, completed, {})) == std::vector<std::string>{"p3"});
  CHECK(ids_of(book.of_user(user_id{"ann"}, any, reservation_id{"r1"})) ==
        std::vector<std::string>{"p1"});
  CHECK(book.of_user(user_id{"cat"}, any, {}).empty());
}

TEST_CASE("the read model follows what the intents' actors stored") {
  payment_book book;
  book.add(intent("p1", "ann", "r1", pending), {});
  CHECK(book.outcome_of(payment_intent_id{"p1"}, reservation_id{"r1"}).verdict ==
        domain::payment_verdict::pending);
  book.update(intent("p1", "ann", "r1", completed));
  CHECK(book.find(payment_intent_id{"p1"})->latest.status == completed);
  CHECK(book.outcome_of(payment_intent_id{"p1"}, reservation_id{"r1"}).verdict ==
        domain::payment_verdict::approved);
  CHECK(ids_of(book.of_user(user_id{"ann"}, completed, {})) == std::vector<std::string>{"p1"});
  // An intent the book does not know stays unknown.
  book.update(intent("p9", "ann", "r1", completed));
  CHECK(book.find(payment_intent_id{"p9"}) == nullptr);
  auto unknown = book.outcome_of(payment_intent_id{"p9"}, reservation_id{"r1"});
  CHECK(unknown.payment_intent_id == "p9");
  CHECK(unknown.verdict == domain::payment_verdict::pending);
}

TEST_CASE("an intent added again replaces its entry and is listed once") {
  payment_book book;
  book.add(intent("p1", "ann", "r1", pending), {});
  book.add(intent("p1", "ann", "r1", completed), {});
  CHECK(ids_of(book.of_user(user_id{"ann"}, any, {})) == std::vector<std::string>{"p1"});
  CHECK(book.find(payment_intent_id{"p1"})->latest.status == completed);
}

TEST_CASE("the approved intents of a reservation that did not pay for it are owed back") {
  payment_book book;
  book.add(intent("paid", "ann", "r1", completed), {});
  book.add(intent("second", "ann", "r1", completed), {});
  book.add(intent("open", "ann", "r1", pending), {});
  book.add(intent("other", "ann", "r2", completed), {});
  domain::reservation_state r;
  r.id = reservation_id{"r1"};
  r.status = domain::reservation_status::confirmed;
  r.payment_intent_id = "paid";
  CHECK(ids_of(book.orphans_of(r)) == std::vector<std::string>{"second"});
  r.status = domain::reservation_status::expired;
  r.payment_intent_id.clear();
  CHECK(ids_of(book.orphans_of(r)) == std::vector<std::string>{"paid", "second"});
  r.id = reservation_id{"r3"};
  CHECK(book.orphans_of(r).empty());
}

} // namespace tt::actors
