# lme4's side of the benchmark for several grouping factors (bench/multilevel_bench.py calls this; prints one JSON line).
# Usage: Rscript multilevel_lme4.R data.csv "formula" REML(TRUE/FALSE) repeats
# lmer() with its default settings; only lmer() is timed (after reading the data); the median of `repeats` runs,
# wall clock (elapsed) and CPU (user + system).
# Grouping columns are left as read.csv reads them: lmer() turns them into factors itself, as hlm_lit's lmer() does.
suppressMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
fo <- as.formula(args[2]); reml <- as.logical(args[3]); reps <- as.integer(args[4])
secs <- cpus <- numeric(reps)
for (i in seq_len(reps)) {
  t0 <- proc.time()
  m <- lmer(fo, data = d, REML = reml)
  dt <- proc.time() - t0
  secs[i] <- dt[["elapsed"]]; cpus[i] <- dt[["user.self"]] + dt[["sys.self"]]
}
warn <- m@optinfo$conv$lme4$messages
crit <- if (reml) REMLcrit(m) else deviance(m)
out <- list(seconds = median(secs), runs = I(secs), cpu_seconds = median(cpus), cpu_runs = I(cpus), crit = crit, nfev = as.integer(m@optinfo$feval),
            optimizer = paste(m@optinfo$optimizer, collapse = "+"), warnings = as.list(warn),
            version = sprintf("%s, lme4 %s, %s", R.version.string, packageVersion("lme4"), sessionInfo()$BLAS))
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA), "\n")
