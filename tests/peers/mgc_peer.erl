%% A real MGC for mediasec's tests: Erlang/OTP megaco over UDP (H.248 text, version 3).
%%
%%   erl -noshell -pa DIR -run mgc_peer main PORT ENCODING SC_DELAY_MS [TRANSPORT]
%%
%% TRANSPORT is "udp" (the default) or "tcp" (TPKT framing, megaco_tcp).
%%
%%   erl -noshell -pa DIR -run mgc_peer main PORT ENCODING 0 TRANSPORT bench SECONDS CALLERS
%%
%% drives Add/Modify/Subtract call cycles from CALLERS concurrent processes for SECONDS after the
%% MG registers and prints "CYCLES N SECONDS S" (megaco's own side is in the measurement).
%%   erl -noshell -pa DIR -run mgc_peer main PORT ENCODING 0 udp segments 0 0
%%
%% sets ROOT seg/mgcmaxpdusize to 600 bytes, sends one transaction of sixteen Adds (each in a new
%% context) and prints "SEGMENTS S ACTIONS A" from the reply megaco put back together (S = 0:
%% the reply was not segmented), then Subtracts every context and prints "SUBTRACTED N".
%% ENCODING is "pretty" or "compact". SC_DELAY_MS delays the reply to the MG's ServiceChange
%% (a delay longer than the MG's retransmission timer makes the MG retransmit, and megaco then
%% answers the duplicate with Pending).
%%
%% It waits for the MG to register, then drives one call: Add (choose context, choose a TLS/MSRP
%% termination with underspecified Local SDP), Modify (Events tcpbcc/tcpest), AuditValue ROOT
%% (Packages), waits for the MG's Notify, then Subtract. Each step prints one line on stdout
%% ("REGISTERED ...", "ADD ...", ...); "DONE" at the end, "FAIL ..." on any error.
-module(mgc_peer).

-include_lib("megaco/include/megaco.hrl").
-include_lib("megaco/include/megaco_message_v3.hrl").

-export([main/1]).
%% megaco_user callbacks, each with the user_args [Driver, ScDelayMs] appended.
-export([handle_connect/4, handle_disconnect/5, handle_syntax_error/5, handle_message_error/5,
         handle_trans_request/5, handle_trans_long_request/5, handle_trans_reply/6,
         handle_trans_ack/6, handle_unexpected_trans/5, handle_trans_request_abort/6,
         handle_segment_reply/7]).

say(Fmt, Args) -> io:format(Fmt ++ "~n", Args).

main([PortS, EncodingS, DelayS]) ->
    main([PortS, EncodingS, DelayS, "udp"]);
main([PortS, EncodingS, DelayS, Transport]) ->
    main([PortS, EncodingS, DelayS, Transport, "call", "0", "0"]);
main([PortS, EncodingS, DelayS, Transport, Mode, SecondsS, CallersS]) ->
    Port = list_to_integer(PortS),
    Delay = list_to_integer(DelayS),
    Encoder = case EncodingS of
                  "compact" -> megaco_compact_text_encoder;
                  _ -> megaco_pretty_text_encoder
              end,
    Driver = self(),
    Timer = #megaco_incr_timer{wait_for = 300, factor = 2, incr = 0, max_retries = 6},
    ok = mgc_listen:start(Port, Transport, Encoder,
                          [{user_mod, ?MODULE}, {user_args, [Driver, Delay]}, {request_timer, Timer},
                           {long_request_timer, 10000}, {pending_timer, 200}, {reply_timer, 10000}]),
    say("LISTENING ~p", [Port]),
    Result = case Mode of
                 "bench" -> (catch bench(list_to_integer(SecondsS), list_to_integer(CallersS), plain));
                 "bench_tls" -> (catch bench(list_to_integer(SecondsS), list_to_integer(CallersS), tls));
                 "segments" -> (catch segments());
                 _ -> (catch drive())
             end,
    case Result of
        ok -> say("DONE", []);
        Other -> say("FAIL ~p", [Other])
    end,
    timer:sleep(200),
    init:stop().

drive() ->
    Conn = receive {registered, C} -> C after 20000 -> throw(no_registration) end,
    %% Root package properties: the MG's transaction timers and Pending limits.
    RootProps = [#'PropertyParm'{name = "root/MGProvisionalResponseTimerValue", value = ["500"]},
                 #'PropertyParm'{name = "root/normalMGCExecutionTime", value = ["400"]},
                 #'PropertyParm'{name = "root/MGCOriginatedPendingLimit", value = ["5"]}],
    RootMedia = #'MediaDescriptor'{termStateDescr = #'TerminationStateDescriptor'{propertyParms = RootProps}},
    RootId = #megaco_term_id{id = ["root"]},
    case call(Conn, ?megaco_null_context_id, {modReq, #'AmmRequest'{terminationID = [RootId],
                                                                      descriptors = [{mediaDescriptor, RootMedia}]}}) of
        {_, [{modReply, #'AmmsReply'{}}]} -> say("ROOT_PROPERTIES", []);
        R0 -> throw({root_properties, R0})
    end,
    %% Add: choose a context and a TLS/MSRP termination; the MG fills in address and port.
    Local = sdp([{"v", "0"}, {"c", "IN IP4 $"}, {"m", "message $ TCP/TLS/MSRP *"}, {"a", "setup:$"}]),
    Remote = sdp([{"v", "0"}, {"c", "IN IP4 127.0.0.1"}, {"m", "message 7394 TCP/TLS/MSRP *"},
                  {"a", "setup:actpass"}, {"a", "connection:new"},
                  {"a", "fingerprint:sha-256 " ++ fingerprint()}]),
    LC = #'LocalControlDescriptor'{streamMode = sendRecv,
                                   propertyParms = [#'PropertyParm'{name = "tlsbsc/role", value = ["server"]}]},
    Media = #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{localControlDescriptor = LC,
                                                                     localDescriptor = Local,
                                                                     remoteDescriptor = Remote}}},
    Add = #'AmmRequest'{terminationID = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_choose]]}],
                        descriptors = [{mediaDescriptor, Media}]},
    {Ctx, [Term]} =
        case call(Conn, ?megaco_choose_context_id, {addReq, Add}) of
            {C1, [{addReply, #'AmmsReply'{terminationID = [T1], terminationAudit = Audit}}]} ->
                say("ADD ~p ~s ~s", [C1, mgc_replies:tid(T1), local_port(Audit)]),
                {C1, [T1]};
            R1 -> throw({add, R1})
        end,
    %% Modify: ask for the TCP establishment event.
    Ev = #'EventsDescriptor'{requestID = 77, eventList = [#'RequestedEvent'{pkgdName = "tcpbcc/tcpest", evParList = []}]},
    case call(Conn, Ctx, {modReq, #'AmmRequest'{terminationID = [Term], descriptors = [{eventsDescriptor, Ev}]}}) of
        {Ctx, [{modReply, #'AmmsReply'{}}]} -> say("MODIFY ~s", [mgc_replies:tid(Term)]);
        R2 -> throw({modify, R2})
    end,
    %% An unknown package is refused with 440.
    BadEv = #'EventsDescriptor'{requestID = 78, eventList = [#'RequestedEvent'{pkgdName = "nosuchpkg/x", evParList = []}]},
    case call(Conn, Ctx, {modReq, #'AmmRequest'{terminationID = [Term], descriptors = [{eventsDescriptor, BadEv}]}}) of
        {_, [{modReply, #'AmmsReply'{terminationAudit = [{errorDescriptor, #'ErrorDescriptor'{errorCode = Code}}]}}]} ->
            say("MODIFY_ERROR ~p", [Code]);
        R3 -> throw({bad_modify, R3})
    end,
    %% AuditValue ROOT: the packages the MG supports.
    Root = #megaco_term_id{id = ["root"]},
    AuditReq = #'AuditRequest'{terminationID = Root,
                               auditDescriptor = #'AuditDescriptor'{auditToken = [packagesToken]}},
    case call(Conn, ?megaco_null_context_id, {auditValueRequest, AuditReq}) of
        {_, [{auditValueReply, {auditResult, #'AuditResult'{terminationAuditResult = TAR}}}]} ->
            Pkgs = [N || {packagesDescriptor, L} <- TAR, #'PackagesItem'{packageName = N} <- L],
            say("AUDIT ~p ~s", [length(Pkgs), string:join(lists:sort(Pkgs), ",")]);
        R4 -> throw({audit, R4})
    end,
    say("WAITING_NOTIFY", []),
    receive {notified, NT, EvName} -> say("NOTIFY ~s ~s", [NT, EvName]) after 10000 -> throw(no_notify) end,
    %% Subtract: the termination and its statistics.
    case call(Conn, Ctx, {subtractReq, #'SubtractRequest'{terminationID = [Term]}}) of
        {Ctx, [{subtractReply, #'AmmsReply'{terminationAudit = SA}}]} ->
            Stats = [N || {statisticsDescriptor, L} <- SA, #'StatisticsParameter'{statName = N} <- L],
            say("SUBTRACT ~s ~s", [mgc_replies:tid(Term), string:join(Stats, ",")]);
        R5 -> throw({subtract, R5})
    end,
    ok.

segments() ->
    Conn = receive {registered, C} -> C after 20000 -> throw(no_registration) end,
    Props = [#'PropertyParm'{name = "seg/mgcmaxpdusize", value = ["600"]}],
    RootMedia = #'MediaDescriptor'{termStateDescr = #'TerminationStateDescriptor'{propertyParms = Props}},
    RootId = #megaco_term_id{id = ["root"]},
    case call(Conn, ?megaco_null_context_id, {modReq, #'AmmRequest'{terminationID = [RootId],
                                                                      descriptors = [{mediaDescriptor, RootMedia}]}}) of
        {_, [{modReply, #'AmmsReply'{}}]} -> say("MAX_PDU 600", []);
        R0 -> throw({max_pdu, R0})
    end,
    Local = sdp([{"v", "0"}, {"c", "IN IP4 $"}, {"m", "message $ TCP/MSRP *"}]),
    Media = #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{localDescriptor = Local}}},
    Add = #'AmmRequest'{terminationID = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_choose]]}],
                        descriptors = [{mediaDescriptor, Media}]},
    Adds = [#'ActionRequest'{contextId = ?megaco_choose_context_id,
                             commandRequests = [#'CommandRequest'{command = {addReq, Add}}]} || _ <- lists:seq(1, 16)],
    {Segments, Replies} =
        case megaco:call(Conn, Adds, []) of
            {_, {ok, [{SN, _} | _] = Segs}} when is_integer(SN) -> {length(Segs), lists:append([A || {_, A} <- Segs])};
            {_, {ok, ARs}} when is_list(ARs) -> {0, ARs};
            R1 -> throw({adds, R1})
        end,
    say("SEGMENTS ~p ACTIONS ~p", [Segments, length(Replies)]),
    All = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_all]]}],
    Subtracted = [Ctx || #'ActionReply'{contextId = Ctx} <- Replies,
                         {_, [{subtractReply, _} | _]} <- [call(Conn, Ctx, {subtractReq, #'SubtractRequest'{terminationID = All}})]],
    say("SUBTRACTED ~p", [length(Subtracted)]),
    ok.

bench(Seconds, Callers, Kind) ->
    Conn = receive {registered, C} -> C after 20000 -> throw(no_registration) end,
    timer:sleep(200),  % the MG takes the reply to its ServiceChange
    Self = self(),
    Deadline = erlang:monotonic_time(millisecond) + Seconds * 1000,
    T0 = erlang:monotonic_time(microsecond),
    Loop = case Kind of plain -> fun cycle_loop/3; tls -> fun tls_call_loop/3 end,
    [spawn_link(fun() -> Self ! {cycles, Loop(Conn, Deadline, 0)} end) || _ <- lists:seq(1, Callers)],
    Total = lists:sum([receive {cycles, N} -> N end || _ <- lists:seq(1, Callers)]),
    T1 = erlang:monotonic_time(microsecond),
    say("CYCLES ~p SECONDS ~.3f", [Total, (T1 - T0) / 1.0e6]),
    ok.

cycle_loop(Conn, Deadline, N) ->
    case erlang:monotonic_time(millisecond) >= Deadline of
        true -> N;
        false ->
            Local = sdp([{"v", "0"}, {"c", "IN IP4 $"}, {"m", "message $ TCP/MSRP *"}]),
            Media = #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{localDescriptor = Local}}},
            Add = #'AmmRequest'{terminationID = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_choose]]}],
                                descriptors = [{mediaDescriptor, Media}]},
            {Ctx, [{addReply, #'AmmsReply'{terminationID = [T]}}]} = call(Conn, ?megaco_choose_context_id, {addReq, Add}),
            LC = #'LocalControlDescriptor'{streamMode = sendRecv, propertyParms = []},
            Mod = #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{localControlDescriptor = LC}}},
            {Ctx, [{modReply, _}]} = call(Conn, Ctx, {modReq, #'AmmRequest'{terminationID = [T], descriptors = [{mediaDescriptor, Mod}]}}),
            {Ctx, [{subtractReply, _}]} = call(Conn, Ctx, {subtractReq, #'SubtractRequest'{terminationID = [T]}}),
            cycle_loop(Conn, Deadline, N + 1)
    end.

%% One eMediasec call setup and release: Add a TLS/MSRP access termination (the terminal's
%% fingerprint in the Remote) and a TCP/MSRP core termination in a new context, Modify the access
%% termination's Events, Subtract both.
tls_call_loop(Conn, Deadline, N) ->
    case erlang:monotonic_time(millisecond) >= Deadline of
        true -> N;
        false ->
            Access = media(sdp([{"v", "0"}, {"c", "IN IP4 $"}, {"m", "message $ TCP/TLS/MSRP *"}]),
                           sdp([{"v", "0"}, {"c", "IN IP4 127.0.0.1"}, {"m", "message 9 TCP/TLS/MSRP *"},
                                {"a", "setup:active"}, {"a", "connection:new"},
                                {"a", "fingerprint:sha-256 " ++ fingerprint()},
                                {"a", "path:msrps://127.0.0.1:9/ue;tcp"}])),
            Core = media(sdp([{"v", "0"}, {"c", "IN IP4 $"}, {"m", "message $ TCP/MSRP *"}]),
                         sdp([{"v", "0"}, {"c", "IN IP4 127.0.0.1"}, {"m", "message 9 TCP/MSRP *"},
                              {"a", "setup:active"}, {"a", "connection:new"}])),
            Choose = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_choose]]}],
            {Ctx, [{addReply, #'AmmsReply'{terminationID = [T]}}]} =
                call(Conn, ?megaco_choose_context_id, {addReq, #'AmmRequest'{terminationID = Choose, descriptors = [{mediaDescriptor, Access}]}}),
            {Ctx, [{addReply, _}]} = call(Conn, Ctx, {addReq, #'AmmRequest'{terminationID = Choose, descriptors = [{mediaDescriptor, Core}]}}),
            Ev = #'EventsDescriptor'{requestID = 9, eventList = [#'RequestedEvent'{pkgdName = "tlsbsc/tlsest", evParList = []}]},
            {Ctx, [{modReply, _}]} = call(Conn, Ctx, {modReq, #'AmmRequest'{terminationID = [T], descriptors = [{eventsDescriptor, Ev}]}}),
            {Ctx, [{subtractReply, _}]} = call(Conn, Ctx, {subtractReq, #'SubtractRequest'{terminationID = [#megaco_term_id{contains_wildcards = true, id = [[?megaco_all]]}]}}),
            tls_call_loop(Conn, Deadline, N + 1)
    end.

media(Local, Remote) ->
    #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{
        localControlDescriptor = #'LocalControlDescriptor'{streamMode = sendRecv, propertyParms = []},
        localDescriptor = Local, remoteDescriptor = Remote}}}.

call(Conn, Ctx, Cmd) ->
    AR = #'ActionRequest'{contextId = Ctx, commandRequests = [#'CommandRequest'{command = Cmd}]},
    case megaco:call(Conn, [AR], []) of
        {_Vsn, {ok, [#'ActionReply'{contextId = C, commandReply = Replies}]}} -> {C, Replies};
        {_Vsn, Other} -> throw({call_failed, Other})
    end.

sdp(Lines) -> #'LocalRemoteDescriptor'{propGrps = [[#'PropertyParm'{name = N, value = [V]} || {N, V} <- Lines]]}.

fingerprint() -> string:join(lists:duplicate(32, "AB"), ":").

local_port(Audit) when is_list(Audit) ->
    Ports = [P || {mediaDescriptor, #'MediaDescriptor'{streams = {oneStream, #'StreamParms'{localDescriptor = L}}}} <- Audit,
                  L =/= asn1_NOVALUE,
                  #'PropertyParm'{name = "m", value = [M]} <- lists:append(L#'LocalRemoteDescriptor'.propGrps),
                  P <- [lists:nth(2, string:tokens(M, " "))]],
    case Ports of [P | _] -> P; [] -> "none" end;
local_port(_) -> "none".

%% ---- megaco_user callbacks (user_args: [Driver, ScDelayMs]) -------------------------------

handle_connect(_Conn, _Vsn, _Driver, _Delay) -> ok.
handle_disconnect(_Conn, _Vsn, _Reason, _Driver, _Delay) -> ok.
handle_syntax_error(_RH, _Vsn, Err, _Driver, _Delay) -> say("SYNTAX_ERROR ~p", [Err]), reply.
handle_message_error(_Conn, _Vsn, Err, _Driver, _Delay) -> say("MESSAGE_ERROR ~p", [Err]), no_reply.

handle_trans_request(Conn, Vsn, Actions, Driver, Delay) ->
    lists:map(fun(A) -> request(Conn, Vsn, A, Driver, Delay) end, Actions),
    {discard_ack, [mgc_replies:reply_for(A) || A <- Actions]}.

request(Conn, _Vsn, #'ActionRequest'{commandRequests = Cmds}, Driver, Delay) ->
    lists:foreach(
      fun(#'CommandRequest'{command = {serviceChangeReq, #'ServiceChangeRequest'{serviceChangeParms = P}}}) ->
              timer:sleep(Delay),
              say("REGISTERED ~p ~s", [P#'ServiceChangeParm'.serviceChangeMethod,
                                       mgc_replies:profile(P#'ServiceChangeParm'.serviceChangeProfile)]),
              Driver ! {registered, Conn};
         (#'CommandRequest'{command = {notifyReq, #'NotifyRequest'{terminationID = [T], observedEventsDescriptor = OE}}}) ->
              [#'ObservedEvent'{eventName = E} | _] = OE#'ObservedEventsDescriptor'.observedEventLst,
              Driver ! {notified, mgc_replies:tid(T), E};
         (_) -> ok
      end, Cmds).

handle_trans_long_request(_Conn, _Vsn, _Data, _Driver, _Delay) -> {discard_ack, []}.
handle_trans_reply(_Conn, _Vsn, _Result, _Data, _Driver, _Delay) -> ok.
handle_trans_ack(_Conn, _Vsn, _Status, _Data, _Driver, _Delay) -> ok.
handle_unexpected_trans(_Conn, _Vsn, _Trans, _Driver, _Delay) -> ok.
handle_trans_request_abort(_Conn, _Vsn, _Tid, _Pid, _Driver, _Delay) -> ok.
handle_segment_reply(_Conn, _Vsn, _Tid, _Sn, _Sc, _Driver, _Delay) -> ok.
