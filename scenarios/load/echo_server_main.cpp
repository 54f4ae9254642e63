// tt_echo_server: the benchmark's echo baseline (see echo_service.hpp). Blocks SIGINT/SIGTERM
// before gRPC starts its threads, so the main thread alone receives them through sigwait.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <pthread.h>
#include <string>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "scenarios/load/echo_service.hpp"
#include "scenarios/load/process_setup.hpp"

namespace {

constexpr int max_message_bytes = 1 << 20; // the node's default grpc.max_message_bytes

int usage(const std::string& problem) {
  if (!problem.empty())
    std::fprintf(stderr, "tt_echo_server: %s\n", problem.c_str());
  std::fputs("usage: tt_echo_server [--listen HOST:PORT]   (default 127.0.0.1:0: any free port)\n"
             "Echoes every gRPC request back; prints 'echo: listening on port N' on stderr.\n",
             problem.empty() ? stdout : stderr);
  return problem.empty() ? 0 : 2;
}

} // namespace

int main(int argc, char** argv) {
  tt::load::quiet_abseil_mutexes();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string listen = "127.0.0.1:0";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h")
      return usage("");
    if (arg.rfind("--listen=", 0) == 0)
      listen = arg.substr(std::strlen("--listen="));
    else if (arg == "--listen" && i + 1 < argc)
      listen = argv[++i];
    else
      return usage("bad argument '" + arg + "'");
  }

  tt::load::echo_service service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(max_message_bytes);
  builder.SetMaxSendMessageSize(max_message_bytes);
  builder.RegisterCallbackGenericService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "echo: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  // Scripts read this line to learn the port.
  std::fprintf(stderr, "echo: listening on port %d\n", port);

  int sig = 0;
  sigwait(&signals, &sig);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{1});
  server->Wait();
  std::fprintf(stderr, "echo: stopped (%s)\n", strsignal(sig));
  return 0;
}
