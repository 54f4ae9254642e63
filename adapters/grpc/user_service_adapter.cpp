#include "adapters/grpc/user_service_adapter.hpp"

#include "actors/common/clock.hpp"
#include "adapters/grpc/proto_time.hpp"

namespace tt::adapters::rpc {

namespace pb = tt::internal::v1;

namespace {

constexpr std::chrono::milliseconds registration_drain{2000};

/// Answers `call` UNAVAILABLE: too many wait, or the node stops.
template <class Call>
std::function<void(bool stopping)> refusal(const std::shared_ptr<Call>& call) {
  return [call](bool stopping) {
    call->fail(fail(errc::unavailable,
                    stopping ? "the node is stopping; retry on another node or after its restart"
                             : "too many sign-ups and sign-ins are waiting; retry shortly",
                    {{"retry_after_ms", "retry after this many milliseconds", "1000"}}));
  };
}

void fill(pb::UserRecord* out, const auth::user_record& u) {
  out->set_user_id(u.user_id);
  out->set_username(u.username);
  out->set_email(u.email);
  out->set_display_name(u.display_name);
  out->set_role(u.role);
  out->set_created_at_ms(to_epoch_ms(u.created_at));
}

/// Answers `call` with the user, or with why there is none.
template <class Call>
void answer(Call& call, const result<auth::user_record>& user) {
  if (!user) {
    call.fail(user.error());
    return;
  }
  fill(call.response().mutable_user(), *user);
  call.reply();
}

} // namespace

user_service_adapter::user_service_adapter(rpc_service& service, auth::user_directory& users)
    : users_(users) {
  service.bind_unary<pb::RegisterUserRequest, pb::RegisterUserResponse>(
      "RegisterUser", [this](auto call) { register_user(std::move(call)); });
  service.bind_unary<pb::AuthenticateUserRequest, pb::AuthenticateUserResponse>(
      "AuthenticateUser", [this](auto call) { authenticate(std::move(call)); });
  worker_ = std::thread{[this] {
    run();
  }};
}

user_service_adapter::~user_service_adapter() {
  std::deque<job> refused;
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
    refused.swap(jobs_);
  }
  wake_.notify_all();
  worker_.join();
  for (auto& j : refused)
    j.refuse(true);
  users_.wait_idle(registration_drain);
}

void user_service_adapter::off_grpc_thread(job j) {
  bool stopping = false;
  {
    std::lock_guard lock{mutex_};
    stopping = stopping_;
    if (!stopping && jobs_.size() < max_waiting) {
      jobs_.push_back(std::move(j));
      wake_.notify_one();
      return;
    }
  }
  j.refuse(stopping);
}

void user_service_adapter::run() {
  for (;;) {
    job next;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_)
        return;
      next = std::move(jobs_.front());
      jobs_.pop_front();
    }
    next.run();
  }
}

void user_service_adapter::register_user(std::shared_ptr<register_call> call) {
  off_grpc_thread({[this, call] {
                     const auto& r = call->request();
                     users_.add({r.username(), r.password(), r.email(), r.display_name()},
                                system_clock_source{}.now(),
                                [call](result<auth::user_record> added) { answer(*call, added); });
                   },
                   refusal(call)});
}

void user_service_adapter::authenticate(std::shared_ptr<authenticate_call> call) {
  off_grpc_thread(
      {[this, call] {
         answer(*call, users_.authenticate(call->request().username(), call->request().password()));
       },
       refusal(call)});
}

} // namespace tt::adapters::rpc
