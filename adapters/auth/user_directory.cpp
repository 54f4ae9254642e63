#include "adapters/auth/user_directory.hpp"

#include <sodium.h>

#include "actors/common/hmac.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/record_envelope.hpp"
#include "proto/tt/internal/v1/snapshots.pb.h"
#include "proto/tt/internal/v1/users.pb.h"

namespace tt::adapters::auth {

namespace {

namespace pb = tt::internal::v1;

constexpr std::string_view key_prefix = "user/";
constexpr size_t min_username = 3, max_username = 32;
constexpr size_t min_password = 8, max_password = 128;
constexpr size_t max_email = 254, max_display_name = 64;

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool valid_username(const std::string& s) {
  if (s.size() < min_username || s.size() > max_username)
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  return true;
}

failure bad(const std::string& field, const std::string& reason) {
  return fail(errc::invalid_argument, field + ": " + reason, {{field, reason, ""}});
}

std::optional<failure> check(const new_user& u) {
  if (!valid_username(u.username))
    return bad("username", "3 to 32 of [A-Za-z0-9_.-]");
  if (u.password.size() < min_password || u.password.size() > max_password)
    return bad("password", "8 to 128 bytes");
  if (u.email.size() > max_email || (!u.email.empty() && u.email.find('@') == std::string::npos))
    return bad("email", "an address with '@', at most 254 bytes");
  if (u.display_name.size() > max_display_name)
    return bad("display_name", "at most 64 bytes");
  return std::nullopt;
}

/// Argon2id at libsodium's "interactive" cost (2 passes over 64 MiB).
std::optional<std::string> hash_password(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return std::nullopt; // out of memory
  return std::string{out};
}

bool password_matches(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string mint_user_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return "u-" + to_hex({reinterpret_cast<const char*>(bytes), sizeof bytes});
}

std::string encode(const user_record& u, const std::string& hash) {
  pb::UserRecord rec;
  rec.set_user_id(u.user_id);
  rec.set_username(u.username);
  rec.set_email(u.email);
  rec.set_display_name(u.display_name);
  rec.set_role(u.role);
  rec.set_password_hash(hash);
  rec.set_created_at_ms(to_epoch_ms(u.created_at));
  pb::SnapshotEnvelope env;
  env.set_format_version(actors::snapshot_format_version);
  env.set_entity_type("user");
  env.mutable_state()->PackFrom(rec);
  return env.SerializeAsString();
}

std::optional<pb::UserRecord> decode(std::string_view bytes) {
  pb::SnapshotEnvelope env;
  pb::UserRecord rec;
  if (!env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      env.format_version() > actors::snapshot_format_version || !env.state().UnpackTo(&rec))
    return std::nullopt;
  return rec;
}

} // namespace

user_directory::user_directory(storage::snapshot_store* store) : store_(store) {}

result<std::unique_ptr<user_directory>> user_directory::open(storage::snapshot_store* store) {
  if (sodium_init() < 0)
    return fail(errc::internal, "libsodium cannot initialise");
  std::unique_ptr<user_directory> out{new user_directory{store}};
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  auto decoy = hash_password(to_hex({reinterpret_cast<const char*>(random), sizeof random}));
  if (!decoy)
    return fail(errc::internal, "cannot hash a password (out of memory)");
  out->decoy_hash_ = std::move(*decoy);
  return out;
}

void user_directory::add(new_user u, timestamp now, std::function<void(result<user_record>)> done) {
  if (auto problem = check(u)) {
    done(*problem);
    return;
  }
  auto name = lower(u.username);
  auto key = std::string{key_prefix} + name;
  auto taken = [&] {
    return fail(errc::already_exists, "the username is taken", {{"username", "taken", u.username}});
  };
  {
    std::lock_guard lock{registrations_->mutex};
    if (registrations_->pending.count(name) != 0) {
      done(taken());
      return;
    }
    auto existing = store_->get(storage::entity_kind::meta, key);
    if (auto* err = std::get_if<storage::storage_error>(&existing)) {
      done(actors::storage_failure(*err));
      return;
    }
    if (std::get<std::optional<std::string>>(existing)) {
      done(taken());
      return;
    }
    registrations_->pending.insert(name);
  }
  auto hash = hash_password(u.password);
  auto release = [state = registrations_, name] {
    std::lock_guard lock{state->mutex};
    state->pending.erase(name);
    state->idle.notify_all();
  };
  if (!hash) {
    release();
    done(fail(errc::unavailable, "cannot hash the password now (out of memory); retry"));
    return;
  }
  user_record rec{mint_user_id(), u.username,
                  u.email,        u.display_name.empty() ? u.username : u.display_name,
                  "user",         now};
  auto value = encode(rec, *hash);
  // Released after `done`, so that wait_idle also covers the answer itself.
  store_->commit({{storage::entity_kind::meta, key, std::move(value), std::nullopt}},
                 [release, rec = std::move(rec),
                  done = std::move(done)](std::optional<storage::storage_error> err) {
                   if (err)
                     done(actors::storage_failure(*err));
                   else
                     done(rec);
                   release();
                 });
}

void user_directory::wait_idle(std::chrono::milliseconds limit) {
  auto& state = *registrations_;
  std::unique_lock lock{state.mutex};
  state.idle.wait_for(lock, limit, [&state] { return state.pending.empty(); });
}

result<user_record> user_directory::authenticate(const std::string& username,
                                                 const std::string& password) const {
  auto refused = fail(errc::unauthenticated, "wrong username or password");
  std::optional<pb::UserRecord> found;
  if (valid_username(username) && password.size() <= max_password) {
    auto stored =
        store_->get(storage::entity_kind::meta, std::string{key_prefix} + lower(username));
    if (auto* err = std::get_if<storage::storage_error>(&stored))
      return actors::storage_failure(*err);
    if (const auto& bytes = std::get<std::optional<std::string>>(stored)) {
      found = decode(*bytes);
      if (!found)
        return fail(errc::data_corruption, "the stored user " + username + " does not parse");
    }
  }
  if (!found) {
    password_matches(decoy_hash_, password); // same cost as a real check
    return refused;
  }
  if (!password_matches(found->password_hash(), password))
    return refused;
  return user_record{found->user_id(), found->username(),
                     found->email(),   found->display_name(),
                     found->role(),    from_epoch_ms(found->created_at_ms())};
}

} // namespace tt::adapters::auth
