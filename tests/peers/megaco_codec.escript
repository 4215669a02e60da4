#!/usr/bin/env escript
%% Erlang/OTP megaco as an independent H.248 text codec for mediasec's tests and benchmarks.
%%
%%   megaco_codec.escript corpus OUT_DIR
%%       Writes megaco's own message corpus (examples/meas/time_test.msgs) to OUT_DIR, one file
%%       per message (NAME.txt).
%%   megaco_codec.escript transcode IN_DIR OUT_DIR
%%       Decodes every IN_DIR/*.txt with megaco and writes OUT_DIR/NAME.pretty and
%%       OUT_DIR/NAME.compact (megaco's encodings of what it decoded), or OUT_DIR/NAME.error.
%%   megaco_codec.escript bench IN_DIR SECONDS
%%       Decodes and re-encodes every IN_DIR/*.txt with the compact codec and the flex scanner for
%%       SECONDS and prints "messages_per_second N".
-mode(compile).

main(["corpus", OutDir]) ->
    Dir = filename:join(code:lib_dir(megaco), "examples/meas"),
    {ok, Terms} = file:consult(filename:join(Dir, "time_test.msgs")),
    N = lists:foldl(
          fun({_Codec, Msgs}, Acc) ->
                  lists:foldl(
                    fun({Name, Bin}, A) when is_binary(Bin) ->
                            ok = file:write_file(filename:join(OutDir, atom_to_list(Name) ++ ".txt"), Bin),
                            A + 1;
                       (_, A) -> A
                    end, Acc, Msgs)
          end, 0, [T || {pretty, _} = T <- Terms]),
    io:format("wrote ~p messages~n", [N]);

main(["transcode", InDir, OutDir]) ->
    Files = lists:sort(filelib:wildcard(filename:join(InDir, "*.txt"))),
    lists:foreach(fun(F) -> transcode(F, OutDir) end, Files),
    io:format("transcoded ~p messages~n", [length(Files)]);

main(["bench", InDir, Seconds]) ->
    {ok, Flex} = megaco_flex_scanner:start(),
    Config = [{flex, Flex}],
    Msgs = [begin {ok, B} = file:read_file(F), B end
            || F <- lists:sort(filelib:wildcard(filename:join(InDir, "*.txt")))],
    %% Only what megaco itself decodes takes part.
    Ok = [B || B <- Msgs, element(1, megaco_compact_text_encoder:decode_message(Config, dynamic, B)) =:= ok],
    Deadline = erlang:monotonic_time(millisecond) + list_to_integer(Seconds) * 1000,
    T0 = erlang:monotonic_time(microsecond),
    Count = bench_loop(Ok, Config, Deadline, 0),
    T1 = erlang:monotonic_time(microsecond),
    io:format("messages ~p~nmessages_per_second ~p~n", [length(Ok), round(Count * 1.0e6 / (T1 - T0))]);

main(_) ->
    io:format(standard_error, "usage: megaco_codec.escript corpus DIR | transcode IN OUT | bench DIR SECONDS~n", []),
    halt(2).

bench_loop(Msgs, Config, Deadline, N) ->
    lists:foreach(fun(B) ->
                          {ok, M} = megaco_compact_text_encoder:decode_message(Config, dynamic, B),
                          {ok, _} = megaco_compact_text_encoder:encode_message(Config, version(M), M)
                  end, Msgs),
    N2 = N + length(Msgs),
    case erlang:monotonic_time(millisecond) >= Deadline of
        true -> N2;
        false -> bench_loop(Msgs, Config, Deadline, N2)
    end.

version(M) ->
    element(2, element(3, M)).  %% #'MegacoMessage'{mess = #'Message'{version = V}}

transcode(File, OutDir) ->
    Base = filename:join(OutDir, filename:basename(File, ".txt")),
    {ok, Bin} = file:read_file(File),
    case catch megaco_pretty_text_encoder:decode_message([], dynamic, Bin) of
        {ok, M} ->
            V = version(M),
            {ok, P} = megaco_pretty_text_encoder:encode_message([], V, M),
            {ok, C} = megaco_compact_text_encoder:encode_message([], V, M),
            ok = file:write_file(Base ++ ".pretty", P),
            ok = file:write_file(Base ++ ".compact", C);
        Other ->
            ok = file:write_file(Base ++ ".error", io_lib:format("~p~n", [Other]))
    end.
