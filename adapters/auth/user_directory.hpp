#pragma once
/// The gateway's users (POST /api/v1/auth/register and /login): kept in the node's snapshot
/// store (meta, "user/<lower-case username>", so names are unique regardless of case), each
/// with an Argon2id password hash (libsodium's crypto_pwhash_str: salt and cost inside the
/// hash). A registration is acknowledged only once durable. Users are read from the store on
/// login, never all kept in memory.
///
/// Both calls hash, which costs tens of milliseconds and 64 MiB on purpose: call them from a
/// worker thread, never an I/O thread. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "actors/common/clock.hpp"
#include "actors/common/result.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::auth {

struct user_record {
  std::string user_id;
  std::string username;
  std::string email;
  std::string display_name;
  std::string role = "user";
  timestamp created_at;
};

struct new_user {
  std::string username;
  std::string password;
  std::string email;
  std::string display_name;
};

class user_directory {
 public:
  /// `store` outlives the directory. Fails when libsodium cannot initialise.
  static result<std::unique_ptr<user_directory>> open(storage::snapshot_store* store);

  /// Checks the fields, hashes the password and stores the user; `done` gets the stored user
  /// (from the store's writer thread), or invalid_argument naming the field, or already_exists
  /// when the name is taken. Blocking (the hash).
  void add(new_user u, timestamp now, std::function<void(result<user_record>)> done);

  /// The user whose name and password match; unauthenticated otherwise, in the same time
  /// whether or not the name exists. Blocking (a store read and the hash).
  result<user_record> authenticate(const std::string& username, const std::string& password) const;

  /// Waits (at most `limit`) until no registration is waiting for the store: at shutdown, so that
  /// no answer arrives after the gateway is gone.
  void wait_idle(std::chrono::milliseconds limit);

 private:
  explicit user_directory(storage::snapshot_store* store);

  storage::snapshot_store* store_;
  /// Hash of a random password, checked when the name is unknown so that timing does not tell.
  std::string decoy_hash_;
  /// Names (lower-case) whose registration is being stored: a second one waits for nobody and
  /// is refused, so two concurrent registrations cannot both succeed. Shared with the store's
  /// callbacks, which may run after the directory is gone (a changelog append outliving a stop
  /// that gave up waiting).
  struct registrations {
    std::mutex mutex;
    std::condition_variable idle;
    std::set<std::string> pending; // under mutex
  };
  std::shared_ptr<registrations> registrations_ = std::make_shared<registrations>();
};

} // namespace tt::adapters::auth
