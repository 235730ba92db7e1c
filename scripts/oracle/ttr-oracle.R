#!/usr/bin/env Rscript
# Reference values for Keel's indicator library (engine/src/features), computed by R's TTR.
#
#   Rscript scripts/oracle/ttr-oracle.R IN.csv OUT.csv [IN2.csv OUT2.csv ...]
#
# IN: Keel's ms bar layout, header timestamp,open,high,low,close,volume.
# OUT: one row per bar (gzip-compressed when the name ends in .gz); a cell is empty where R gives NA or NaN (warm-up, 0/0).
# Numbers are printed with 17 significant digits, enough to round-trip every double.
# z-score and volatility are not TTR functions: they are written here with base R on
# purpose, so the oracle does not share Keel's running-sum arithmetic.
suppressPackageStartupMessages(library(TTR))

cells <- function(v) {
  s <- sprintf("%.17g", v)
  s[!is.finite(v)] <- ""
  s
}

# f(window, current) over each full window of n finite values; NA elsewhere.
rolling <- function(x, n, f) {
  out <- rep(NA_real_, length(x))
  if (length(x) >= n) {
    for (i in n:length(x)) {
      w <- x[(i - n + 1):i]
      if (all(is.finite(w))) out[i] <- f(w, x[i])
    }
  }
  out
}

oracle <- function(input, output) {
  d <- read.csv(input, colClasses = "numeric")
  expected <- c("timestamp", "open", "high", "low", "close", "volume")
  if (!identical(names(d), expected)) stop(input, ": header must be ", paste(expected, collapse = ","))
  cl <- d$close
  macd <- MACD(cl, nFast = 12, nSlow = 26, nSig = 9, maType = "EMA", percent = FALSE)
  bb <- BBands(cl, n = 20, sd = 2)
  dc <- DonchianChannel(cbind(d$high, d$low), n = 20)
  lr <- c(NA_real_, log(cl[-1] / cl[-length(cl)]))
  res <- data.frame(
    timestamp = d$timestamp,
    sma_20 = as.numeric(SMA(cl, n = 20)),
    ema_20 = as.numeric(EMA(cl, n = 20)),
    rsi_14 = as.numeric(RSI(cl, n = 14)),
    atr_14 = as.numeric(ATR(cbind(d$high, d$low, cl), n = 14)[, "atr"]),
    macd = as.numeric(macd[, "macd"]),
    macd_signal = as.numeric(macd[, "signal"]),
    bb_lower = as.numeric(bb[, "dn"]),
    bb_middle = as.numeric(bb[, "mavg"]),
    bb_upper = as.numeric(bb[, "up"]),
    donchian_high = as.numeric(dc[, "high"]),
    donchian_low = as.numeric(dc[, "low"]),
    donchian_mid = as.numeric(dc[, "mid"]),
    zscore_20 = rolling(cl, 20, function(w, x) (x - mean(w)) / sqrt(sum((w - mean(w))^2) / length(w))),
    volatility_20 = rolling(lr, 20, function(w, x) sd(w)),
    log_return = lr
  )
  body <- do.call(paste, c(lapply(res, cells), sep = ","))
  con <- if (grepl("\\.gz$", output)) gzfile(output, "w") else file(output, "w")
  writeLines(c(paste(names(res), collapse = ","), body), con)
  close(con)
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 0 || length(args) %% 2 != 0) {
  stop("usage: Rscript ttr-oracle.R IN.csv OUT.csv [IN2.csv OUT2.csv ...]")
}
for (k in seq(1, length(args), by = 2)) oracle(args[k], args[k + 1])
