# Kenward-Roger for models with several grouping factors (nbs, the Kenward-Roger section of the inference chapters):
# lmerTest's summary(m, ddf = "Kenward-Roger") (which calls pbkrtest) and pbkrtest::vcovAdj on Oats (nested),
# Machines (a factor and an interaction), ScotsSec (crossed) and sleepstudy with two terms on one factor, fitted by
# lme4 run to full precision (tight_control) so that the numbers are those of the optimum, not of an optimizer's stop.
#   Rscript tests/R/kr_multilevel.R     -> tests/R/out/kr_multilevel.json (about a minute)
source("tests/R/_common.R")
suppressMessages({library(lmerTest); library(pbkrtest)})
v <- versions(c("lme4", "lmerTest", "pbkrtest", "Matrix", "jsonlite"))
dd <- "../shared/data/multilevel/"
oats <- read.csv(paste0(dd, "oats_nested.csv"))
mach <- read.csv(paste0(dd, "machines_interaction.csv"), colClasses = c(Worker = "character"))
scot <- read.csv(paste0(dd, "scotssec_crossed.csv"))
sleep2 <- read.csv(paste0(dd, "sleep_two_bars.csv"))
one <- function(f, d) {
  m <- lmerTest::lmer(f, d, control = tight_control)
  kr <- coef(summary(m, ddf = "Kenward-Roger")); sa <- coef(summary(m))
  list(formula = deparse(f), theta = unname(getME(m, "theta")), sigma = sigma(m), REMLcrit = REMLcrit(m),
       fixef = unname(fixef(m)), names = rownames(kr), kr_se = unname(kr[, "Std. Error"]),
       kr_df = unname(kr[, "df"]), satt_df = unname(sa[, "df"]), vcovAdj = unname(as.matrix(pbkrtest::vcovAdj(m))),
       vcov = unname(as.matrix(vcov(m))))
}
out <- list(oats = one(yield ~ nitro + (1 | Block/Variety), oats),
            machines = one(score ~ Machine + (1 | Worker) + (1 | Worker:Machine), mach),
            scotssec = one(attain ~ verbal + sex + (1 | primary) + (1 | second), scot),
            sleep_two_bars = one(Reaction ~ Days + (1 | Subject) + (0 + Days | Subject), sleep2))
out$provenance <- paste(v, "; written by tests/R/kr_multilevel.R")
str(out)
write_out(out, "kr_multilevel.json")
