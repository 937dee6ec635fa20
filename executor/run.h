// RunExecutor: the copytrade-executor process (main.cpp only calls it):
// configuration, login, the follower's journal, instruction stream, report
// stream, order-update feed, status file and alerts around one Executor.
#pragma once

namespace ct::executor {

// argv as main's; returns the process exit code (2: configuration error).
int RunExecutor(int argc, char** argv);

}  // namespace ct::executor
