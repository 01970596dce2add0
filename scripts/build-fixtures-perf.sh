# Sourced by scripts/build-fixtures.sh (uses its $out and cc19): the performance helper's fixtures.
# cxa-handlers: __cxa_atexit registrations from the program and from a shared library's constructor.
perf_src="$DX_ROOT/test/fixtures/perf"
cc19 -fPIC -shared "$perf_src/cxa-lib.c" -o "$out/libdxcxa.so"
cc19 "$perf_src/cxa-main.c" -L"$out" -ldxcxa -Wl,-rpath,'$ORIGIN' -o "$out/cxa-handlers"
