import ExemplarCLI
import ExemplarKernels
import Foundation

// OpenBLAS chose kernels older than this CPU (see `OpenBLASCore`): run again, once, with the
// right ones. If the exec fails, carry on with OpenBLAS's own choice.
if let core = OpenBLASCore.neededHere() {
    setenv("OPENBLAS_CORETYPE", core, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
}
// A write past the file size limit (ulimit -f) then fails with EFBIG and is reported as an
// error naming the index, instead of SIGXFSZ killing the process mid-write.
signal(SIGXFSZ, SIG_IGN)
exit(CLI.run(CommandLine.arguments))
