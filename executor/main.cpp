// copytrade-executor --follower N: places, chases and follows follower N's
// copies to their final state, exactly once. All of it is in executor_lib
// (run.cpp).
#include "executor/run.h"

int main(int argc, char** argv) { return ct::executor::RunExecutor(argc, argv); }
