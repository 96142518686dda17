# Chapter 16 (nbs/16_robustness.ipynb): lme4 run to full precision (bobyqa rhoend = 1e-12, four starts) on the edge
# cases the chapter compares with (`lme4_edge`, the 60-row (x || unit) fit, the rank-deficient design), the three cases
# from the convergence scan (seeds 57, 28, 45), the t3 replication 14 (REMLcrit, profile interval of the correlation),
# and lme4's default fit of a near-collinear set (its warnings).
#   Rscript tests/R/ch16_robustness.R        -> tests/R/out/ch16_robustness.json
source("tests/R/_common.R")
v <- versions()
source("tests/R/scan_data.R")                                # gen(), collinear(), sizes10 (printed in chapter 16)
art <- article()
info <- function(m) list(crit = crit_of(m), theta = unname(getME(m, "theta")), fixef = unname(fixef(m)), sigma = sigma(m),
                         singular = isSingular(m), crit_by_start = as.list(attr(m, "crits")),
                         default_crit = crit_of(attr(m, "default_fit")))
du <- gen(21, 12, 1:12, .5, .5, .3)
edge <- list(corr_minus1 = info(fit_tight(y ~ x + (1 + x | g), gen(1, 10, sizes10, .5, .5, -1))),
             var0_uncorr = info(fit_tight(y ~ x + (x || g), gen(2, 10, sizes10, 0, .5, 0))),
             article_int_only = info(fit_tight(y ~ x + a + x * a + (1 | unit), art)),
             article_slope_only = info(fit_tight(y ~ x + a + x * a + (0 + x | unit), art)),
             unbalanced_1_to_12 = info(fit_tight(y ~ x + (1 + x | g), du)),
             unbalanced_1_to_12_int = info(fit_tight(y ~ x + (1 | g), du)))
f60 <- info(fit_tight(y ~ x + (x || unit), art[seq(1, 900, by = 15), ]))
rd_msgs <- character(0)
frd <- withCallingHandlers(fit_tight(y ~ x + a + I(2 * a) + (1 | unit), art),
                           message = function(m) { rd_msgs <<- c(rd_msgs, trimws(conditionMessage(m))) })
frd_default <- withCallingHandlers(lmer(y ~ x + a + I(2 * a) + (1 | unit), art),
                                   message = function(m) { rd_msgs <<- c(rd_msgs, trimws(conditionMessage(m))); invokeRestart("muffleMessage") })
scan_cases <- list(seed57_cfg_.1_.1_0 = info(fit_tight(y ~ x + (1 + x | g), gen(57, 10, sizes10, .1, .1, 0))),
                   seed28_cfg_0_.5_0 = info(fit_tight(y ~ x + (1 + x | g), gen(28, 10, sizes10, 0, .5, 0))),
                   seed45_cfg_.5_.5_1_uncorr = info(fit_tight(y ~ x + (x || g), gen(45, 10, sizes10, .5, .5, 1))))
d14 <- read.csv("tests/R/data/ch16_t3_rep14.csv")
m14 <- lmer(y ~ x + a + x:a + (1 + x | unit), d14)
ci14 <- confint(m14, parm = 2, oldNames = FALSE)
col_warn <- character(0)
mc <- withCallingHandlers(lmer(y ~ x + (1 + x + x2 | g), collinear(1)),
                          warning = function(w) { col_warn <<- c(col_warn, conditionMessage(w)); invokeRestart("muffleWarning") },
                          message = function(m) invokeRestart("muffleMessage"))
out <- list(provenance = paste(v, "; tight = bobyqa rhoend 1e-12 from four starts (tests/R/_common.R); written by tests/R/ch16_robustness.R"),
            lme4_edge = edge, f60_uncorr_60_rows = f60,
            rank_deficient = list(fixef = as.list(fixef(frd)), crit = REMLcrit(frd), singular = isSingular(frd),
                                  default_fixef = unname(fixef(frd_default)), default_crit = REMLcrit(frd_default), messages = as.list(unique(rd_msgs))),
            convergence_scan_cases = scan_cases,
            t3_rep14 = list(REMLcrit = REMLcrit(m14), confint_cor = unname(ci14[1, ]), parm = rownames(ci14)),
            collinear_seed1_default_warnings = as.list(col_warn))
str(out, max.level = 3)
write_out(out, "ch16_robustness.json")
