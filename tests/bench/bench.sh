#!/usr/bin/env bash
# bench.sh - times credmon on the generated benchmark data (tests/bench/gen.c).
#
#   tests/bench/bench.sh CREDMON_BIN DATA_DIR OUT_FILE
#
# Each run starts from a fresh store in a temporary folder and times, each
# as its own process:
#   1. credmon import --db DB DATA_DIR            (regions, units, calendars,
#                                                  entities, 23 months, ...)
#   2. credmon derive --db DB --defs DEFS --from 2019-01 --to 2020-12
#   3. credmon import --db DB DATA_DIR/append     (the 24th month)
#   4. credmon derive --db DB --defs DEFS --from 2020-12 --to 2020-12
# The sequence runs BENCH_RUNS times (default 3); OUT_FILE gets a Markdown
# table of the median seconds per stage and the highest peak RSS, with the
# machine it ran on. A stage that fails stops everything and no table is
# written: no number here is ever made up.
#
# With BENCH_FLOOR set to floor.c's binary, each run then also times
# SQLite alone on the same rows (floor.c: the bound under the import and
# a month's scan) and OUT_FILE gets a second table, credmon against it.
#
# Environment: BENCH_RUNS (3), CREDMON_DEFS (indicators/derive of this
# repository), TMPDIR (where the stores go; needs a few GB at full size),
# BENCH_TIMER=proc to sample /proc instead of using /usr/bin/time -v,
# BENCH_FLOOR (none: no floor table).
set -euo pipefail

die() {
    printf 'bench.sh: %s\n' "$*" >&2
    exit 1
}

[ $# -eq 3 ] || { echo "usage: $0 CREDMON_BIN DATA_DIR OUT_FILE" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
credmon=$1
data=$2
out_file=$3
runs=${BENCH_RUNS:-3}
defs=${CREDMON_DEFS:-$repo/indicators/derive}

case $credmon in */*) ;; *) credmon=$(command -v "$credmon" || true) ;; esac
if [ -z "$credmon" ] || [ ! -x "$credmon" ]; then die "'$1' is not an executable"; fi
credmon=$(cd "$(dirname "$credmon")" && pwd)/$(basename "$credmon")
[ -d "$data" ] || die "no data folder '$data' (make it with: gen --seed 1 --size 1 --out $data)"
data=$(cd "$data" && pwd)
[ -f "$data/regions.csv" ] || die "$data has no regions.csv: not a gen.c data set"
[ -d "$data/append" ] || die "$data has no append/ folder: not a gen.c data set"
[ -d "$defs" ] || die "no derivation definitions at '$defs' (set CREDMON_DEFS)"
case $runs in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;; esac
floor=${BENCH_FLOOR:-}
if [ -n "$floor" ]; then
    [ -x "$floor" ] || die "BENCH_FLOOR '$floor' is not an executable"
    floor=$(cd "$(dirname "$floor")" && pwd)/$(basename "$floor")
fi

# The commands must exist in this build: say so rather than time an error.
help_text=$("$credmon" help 2>&1 || true)
for cmd in import derive; do
    grep -Eq "^[[:space:]]*$cmd([[:space:]]|$)" <<<"$help_text" ||
        die "'credmon $cmd' is not available in $credmon (not listed by 'credmon help'); nothing was timed"
done

# Timer: GNU time -v gives the peak RSS of the child; otherwise sample
# VmHWM from /proc while it runs (a lower bound between samples).
timer=proc
if [ "${BENCH_TIMER:-}" != proc ] && [ -x /usr/bin/time ] &&
    /usr/bin/time -v true >/dev/null 2>&1; then
    timer=gnu
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/credmon-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        printf '%s\n' "${EPOCHREALTIME/,/.}"
    else
        date +%s.%N
    fi
}

# run_timed LOG CMD...: runs CMD with stdout/stderr in LOG.out/LOG.err;
# sets t_sec, t_rss_kb, t_cpu (user + system s, gnu timer only), t_rc.
run_timed() {
    local log=$1
    shift
    local t0 t1
    t_rss_kb=0
    t_cpu=n/a
    t0=$(now)
    if [ $timer = gnu ]; then
        t_rc=0
        /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err" || t_rc=$?
        t1=$(now)
        t_rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
        t_cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.3f", s}' "$log.time")
    else
        "$@" >"$log.out" 2>"$log.err" &
        local pid=$! hwm
        while kill -0 "$pid" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
            if [ -n "$hwm" ] && [ "$hwm" -gt "$t_rss_kb" ]; then t_rss_kb=$hwm; fi
            sleep 0.05
        done
        t_rc=0
        wait "$pid" || t_rc=$?
        t1=$(now)
    fi
    t_sec=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    [ -n "$t_rss_kb" ] || t_rss_kb=0
}

# Data rows of the CSV files directly in a folder (header lines excluded).
csv_rows() {
    local n=0 f c
    for f in "$1"/*.csv; do
        [ -f "$f" ] || continue
        c=$(wc -l <"$f")
        n=$((n + c - 1))
    done
    echo "$n"
}

# Rows a stage reports: "imported N rows" / "N values" / "N rows" on its
# stdout, else the fallback given.
reported_rows() {
    local n
    n=$(grep -Eo '(imported|derived|wrote|analysed) [0-9]+' "$1" | head -1 | grep -Eo '[0-9]+' || true)
    [ -n "$n" ] || n=$(grep -Eo '[0-9]+ (rows|values)' "$1" | head -1 | grep -Eo '^[0-9]+' || true)
    echo "${n:-$2}"
}

stages=(import derive import_append derive_append rank_import rank_all)
declare -A label cmdline rows_of secs rss cpus fl_rows fl_secs
label[import]="import DATA_DIR (23 months + register, lists)"
label[derive]="derive 2019-01..2020-12"
label[import_append]="import DATA_DIR/append (2020-12)"
label[derive_append]="derive 2020-12"
label[rank_import]="import ranks (261 cities x 24 months)"
label[rank_all]="rank analysis, every city of the list"
rows_of[import]=$(csv_rows "$data")
rows_of[import_append]=$(csv_rows "$data/append")
rows_of[derive]=n/a
rows_of[derive_append]=n/a
rows_of[rank_import]=$(csv_rows "$repo/fixtures/ranks")
rows_of[rank_all]=n/a

echo "bench.sh: $runs run(s), credmon $credmon, data $data, timer $timer" >&2
db_bytes=0
for run in $(seq 1 "$runs"); do
    dir=$tmp/run$run
    mkdir -p "$dir"
    db=$dir/credmon.db
    for st in "${stages[@]}"; do
        case $st in
        import) set -- "$credmon" import --db "$db" "$data" ;;
        derive) set -- "$credmon" derive --db "$db" --defs "$defs" --from 2019-01 --to 2020-12 ;;
        import_append) set -- "$credmon" import --db "$db" "$data/append" ;;
        derive_append) set -- "$credmon" derive --db "$db" --defs "$defs" --from 2020-12 --to 2020-12 ;;
        rank_import) set -- "$credmon" import --db "$db" "$repo/fixtures/ranks" ;;
        rank_all) set -- "$credmon" rank --db "$db" --region 511800 --period 2019-06 --target 30 --all ;;
        esac
        cmdline[$st]="$*"
        echo "  run $run: ${label[$st]} ..." >&2
        run_timed "$dir/$st" "$@"
        if [ "$t_rc" -ne 0 ]; then
            {
                echo "bench.sh: stage '${label[$st]}' failed (exit $t_rc) in run $run:"
                echo "  \$ $*"
                sed -n '1,20p' "$dir/$st.err" | sed 's/^/  | /'
                case $st in
                derive*) echo "  ('credmon derive' may not be implemented yet, or $defs is not valid)" ;;
                import*) echo "  (does 'credmon import' read microdata folders yet? see engine/micro.h)" ;;
                esac
                echo "bench.sh: no results written"
            } >&2
            exit 1
        fi
        secs[$st]="${secs[$st]:-} $t_sec"
        cpus[$st]="${cpus[$st]:-} $t_cpu"
        if [ "${rss[$st]:-0}" -lt "$t_rss_kb" ]; then rss[$st]=$t_rss_kb; fi
        if [ "$run" -eq 1 ]; then
            case $st in
            import | import_append) rows_of[$st]=$(reported_rows "$dir/$st.out" "${rows_of[$st]}") ;;
            *) rows_of[$st]=$(reported_rows "$dir/$st.out" n/a) ;;
            esac
        fi
        echo "    ${t_sec} s, peak RSS $((t_rss_kb / 1024)) MB" >&2
    done
    db_bytes=$(du -sb "$dir" | cut -f1)
    if [ -n "$floor" ]; then
        # the floor gets a fresh store of credmon's schema, regions only
        rm -f "$db"
        echo "  run $run: SQLite alone (floor) ..." >&2
        if ! "$credmon" import --db "$db" "$data/regions.csv" >"$dir/floor.out" 2>&1 ||
            ! "$floor" "$db" "$data" >"$dir/floor.out" 2>&1; then
            sed -n '1,20p' "$dir/floor.out" | sed 's/^/  | /' >&2
            die "the floor failed in run $run; no results written"
        fi
        while read -r kind what n s; do
            case $kind in
            floor) fl_rows[$what]=$n; fl_secs[$what]="${fl_secs[$what]:-} $s" ;;
            split) fl_rows[split]=$what; fl_secs[split]="${fl_secs[split]:-} $n" ;;
            esac
        done <"$dir/floor.out"
        echo "    import ${fl_secs[import]##* } s, append ${fl_secs[append]##* } s, month scan ${fl_secs[scan]##* } s" >&2
    fi
    # what credmon said of the last run's derives: time per derivation
    derive_said=$(sed 's/^/    /' "$dir/derive.out")
    derive_append_said=$(sed 's/^/    /' "$dir/derive_append.out")
    # the month's 双公示 derivation alone, in seconds (its line in derive's
    # report: "  publicity   N values   MS ms")
    pub_ms=$(awk '$1 == "publicity" && $5 == "ms" {print $4}' "$dir/derive_append.out")
    [ -z "$pub_ms" ] || pub_secs="${pub_secs:-} $(awk -v m="$pub_ms" 'BEGIN {printf "%.3f", m / 1000}')"
    rm -rf "$dir"
done

median() {
    tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR] = $1}
        END {if (NR % 2) printf "%.3f", v[(NR + 1) / 2];
             else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mem_gb=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
version=$("$credmon" version 2>/dev/null || echo unknown)
gen_line=$(head -1 "$data/gen-summary.txt" 2>/dev/null | sed 's/^# *//' || true)
data_mb=$(du -sbL "$data" | awk '{printf "%.0f", $1 / 1e6}')

{
    echo "# credmon benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, ${mem_gb:-?} GB memory, $(uname -sr)"
    echo "- credmon: $version ($credmon)"
    echo "- data: $data, $data_mb MB${gen_line:+ ($gen_line)}"
    echo "- runs: $runs, each on a fresh store; seconds are medians, peak RSS the highest run"
    echo "- timer: $([ $timer = gnu ] && echo '/usr/bin/time -v (wall clock from the shell)' || echo 'shell wall clock; RSS sampled from /proc VmHWM every 50 ms')"
    echo
    echo "| stage | rows | median s | rows/s | CPU s | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for st in "${stages[@]}"; do
        m=$(median <<<"${secs[$st]}")
        c=$(grep -q n/a <<<"${cpus[$st]}" && echo n/a || median <<<"${cpus[$st]}")
        r=${rows_of[$st]}
        if [ "$r" = n/a ]; then
            rps=n/a
        else
            rps=$(awk -v r="$r" -v s="$m" 'BEGIN {if (s > 0) printf "%.0f", r / s; else print "n/a"}')
        fi
        printf '| %s | %s | %s | %s | %s | %s |\n' "${label[$st]}" "$r" "$m" "$rps" "$c" \
            "$(awk -v k="${rss[$st]:-0}" 'BEGIN {printf "%.0f", k / 1024}')"
    done
    echo
    echo "Rows: imports count data rows (credmon's own count when it prints one,"
    echo "else the CSV lines); derives count the values credmon reports writing."
    echo "CPU s: user + system time of all the process's threads (median); above"
    echo "the wall time when stages overlap on the cores."
    echo "Store after the last run: $(awk -v b="$db_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB."
    echo
    echo "Per run (s):"
    echo
    for st in "${stages[@]}"; do
        echo "- ${label[$st]}:${secs[$st]}  \`${cmdline[$st]//$tmp/\$TMP}\`"
    done
    if [ -n "$floor" ]; then
        fl() { median <<<"${fl_secs[$1]}"; }
        ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
        echo
        echo "SQLite alone on the same rows (tests/bench/floor.c, medians of the"
        echo "same runs): each file read and split before its clock starts, the"
        echo "register, blacklist and commitments sorted in memory and indexed"
        echo "after, 32 rows to a prepared upsert on one connection, with"
        echo "credmon's page cache and journal. SQLite lets one connection write"
        echo "a database, so the 双公示 upserts are a floor under credmon's"
        echo "import, whose writer does them and then copies in the first loads"
        echo "staged on the other core. The first loads' upserts are listed for"
        echo "what they cost on one core; credmon does not do them that way."
        echo
        echo "| SQLite alone | rows | median s | rows/s | credmon's | credmon s | credmon / floor |"
        echo "|---|---:|---:|---:|---|---:|---:|"
        for w in publicity entities blacklist commitments commit import append scan split; do
            m=$(fl "$w")
            r=${fl_rows[$w]}
            c="" vs=""
            case $w in
            publicity) name="upsert the 23 双公示 months" vs="import of the folder" c=$(median <<<"${secs[import]}") ;;
            entities | blacklist | commitments) name="upsert $w (a first load)" vs="staged on the other core" ;;
            commit) name="commit" r="" ;;
            import) name="all of the above, one after the other (no staging: not a floor)" ;;
            append) name="one more month (append/), its own transaction" vs="import of append/" c=$(median <<<"${secs[import_append]}") ;;
            scan)
                name="scan of 双公示 for one month's decisions" r="$r found" vs="双公示 derivation of that month"
                # empty when derive's report had no publicity line
                [ -z "${pub_secs:-}" ] || c=$(median <<<"$pub_secs")
                ;;
            split) name="read and split every file, one core" vs="parsing also checks each field, on other threads" ;;
            esac
            rps=$(awk -v r="${r%% *}" -v s="$m" 'BEGIN {if (s > 0 && r > 0) printf "%.0f", r / s; else print ""}')
            case $w in scan) rps="" ;; esac
            printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$r" "$m" "$rps" "$vs" "$c" \
                "$([ -n "$c" ] && ratio "$c" "$m")"
        done
        echo
        echo "Floor per run (s): 双公示${fl_secs[publicity]}; all${fl_secs[import]}; append${fl_secs[append]}; scan${fl_secs[scan]}."
    fi
    echo
    echo "What credmon derive said in the last run (per derivation: values"
    echo "written, milliseconds of its statement plus the writing of its"
    echo "values; the statements run side by side, one per core):"
    echo
    echo "${label[derive]}:"
    echo
    echo "$derive_said"
    echo
    echo "${label[derive_append]}:"
    echo
    echo "$derive_append_said"
} >"$out_file"
echo "bench.sh: wrote $out_file" >&2
