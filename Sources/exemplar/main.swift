import ExemplarCLI
import Foundation

// A write past the file size limit (ulimit -f) then fails with EFBIG and is reported as an
// error naming the index, instead of SIGXFSZ killing the process mid-write.
signal(SIGXFSZ, SIG_IGN)
exit(CLI.run(CommandLine.arguments))
