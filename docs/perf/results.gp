set terminal pngcairo size 1600,1100 font "sans,10"
set output "docs/perf/results.png"
set termoption noenhanced
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [1:*]
set grid ytics
set key top right font ",9"
set multiplot layout 2,2 title "machnet-c vs kernel, one run, shared 2-core VM (see docs/perf/results.md)"
set title "E1 (window 1): messages/s by message size"
set ylabel "messages/s"
plot for [i=2:8] 'docs/perf/rate_E1.dat' using i:xtic(1) title columnheader(i)
set title "E2 (window 32): messages/s by message size"
set ylabel "messages/s"
plot for [i=2:6] 'docs/perf/rate_E2.dat' using i:xtic(1) title columnheader(i)
set bmargin 5
set xtics font ",8"
set title "E1 (window 1), 1 KiB: round-trip percentiles"
set ylabel "microseconds"
plot for [i=2:4] 'docs/perf/lat_E1.dat' using i:xtic(1) title columnheader(i)
set title "E2 (window 32), 1 KiB: round-trip percentiles"
set ylabel "microseconds"
plot for [i=2:4] 'docs/perf/lat_E2.dat' using i:xtic(1) title columnheader(i)
unset multiplot
