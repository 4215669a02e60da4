%% A scriptable MGC: Erlang/OTP megaco over UDP or TCP (H.248 text, version 3), driven line by
%% line on standard input, so that a test or `make run` can play any call flow against mediasecd.
%%
%%   erl -noshell -pa DIR -run mgc_script main PORT [udp|tcp]
%%
%% Standard output, one event per line:
%%   LISTENING PORT
%%   REGISTERED METHOD PROFILE            the MG's ServiceChange (answered at once)
%%   NOTIFY TERMINATION EVENT [K=V,...]   a Notify from the MG (answered at once)
%%   REPLY                                the reply to a CALL, as H.248 text (pretty), then a
%%   ...                                  line holding a single "."
%%   .
%%   FAIL REASON                          a CALL that megaco could not complete
%%
%% Standard input:
%%   CALL                                 the actions of one transaction as H.248 text (the
%%   ...                                  "C=...{...}" part, any number of lines), then "."
%%   .
%%   QUIT
%%
%% megaco decodes the actions into its own records and sends them as a transaction of its own
%% (its timers, retransmissions, Pending handling); replies and Notify are printed as megaco
%% encodes them.
-module(mgc_script).

-include_lib("megaco/include/megaco.hrl").
-include_lib("megaco/include/megaco_message_v3.hrl").

-export([main/1]).
-export([handle_connect/3, handle_disconnect/4, handle_syntax_error/4, handle_message_error/4,
         handle_trans_request/4, handle_trans_long_request/4, handle_trans_reply/5,
         handle_trans_ack/5, handle_unexpected_trans/4, handle_trans_request_abort/5,
         handle_segment_reply/6]).

say(Fmt, Args) -> io:format(Fmt ++ "~n", Args).

main([PortS]) -> main([PortS, "udp"]);
main([PortS, Transport]) ->
    Port = list_to_integer(PortS),
    Driver = self(),
    Timer = #megaco_incr_timer{wait_for = 500, factor = 2, incr = 0, max_retries = 5},
    ok = mgc_listen:start(Port, Transport, megaco_pretty_text_encoder,
                          [{user_mod, ?MODULE}, {user_args, [Driver]}, {request_timer, Timer},
                           {long_request_timer, 15000}, {reply_timer, 10000}]),
    say("LISTENING ~p", [Port]),
    Conn = receive {registered, C} -> C after 30000 -> say("FAIL no registration", []), halt(1) end,
    commands(Conn),
    init:stop().

commands(Conn) ->
    case io:get_line("") of
        eof -> ok;
        {error, _} -> ok;
        Line ->
            case string:trim(Line) of
                "QUIT" -> ok;
                "CALL" -> call(Conn, block([])), commands(Conn);
                "" -> commands(Conn);
                Other -> say("FAIL unknown command ~s", [Other]), commands(Conn)
            end
    end.

block(Acc) ->
    case io:get_line("") of
        eof -> lists:append(lists:reverse(Acc));
        Line ->
            case string:trim(Line) of
                "." -> lists:append(lists:reverse(Acc));
                _ -> block([Line | Acc])
            end
    end.

call(Conn, Text) ->
    Wrapped = "!/3 [127.0.0.1]:2944\nT=1{" ++ Text ++ "}",
    case megaco_pretty_text_encoder:decode_message([], 3, list_to_binary(Wrapped)) of
        {ok, #'MegacoMessage'{mess = #'Message'{messageBody = {transactions, [{transactionRequest, TR}]}}}} ->
            case megaco:call(Conn, TR#'TransactionRequest'.actions, []) of
                {_Vsn, {ok, Replies}} -> print_reply(Replies);
                {_Vsn, {error, #'ErrorDescriptor'{errorCode = Code, errorText = Why}}} -> say("FAIL error ~p ~p", [Code, Why]);
                {_Vsn, Other} -> say("FAIL ~p", [Other])
            end;
        Bad -> say("FAIL cannot decode the actions: ~p", [Bad])
    end.

print_reply(Replies) ->
    Mid = {ip4Address, #'IP4Address'{address = [127, 0, 0, 1], portNumber = 2944}},
    Reply = #'TransactionReply'{transactionId = 1, transactionResult = {actionReplies, Replies}},
    Msg = #'MegacoMessage'{mess = #'Message'{version = 3, mId = Mid,
                                             messageBody = {transactions, [{transactionReply, Reply}]}}},
    {ok, Bin} = megaco_pretty_text_encoder:encode_message([], 3, Msg),
    io:format("REPLY~n~s~n.~n", [Bin]).

%% ---- megaco_user callbacks (user_args: [Driver]) -----------------------------------------

handle_connect(_Conn, _Vsn, _Driver) -> ok.
handle_disconnect(_Conn, _Vsn, _Reason, _Driver) -> ok.
handle_syntax_error(_RH, _Vsn, Err, _Driver) -> say("SYNTAX_ERROR ~p", [Err]), reply.
handle_message_error(_Conn, _Vsn, Err, _Driver) -> say("MESSAGE_ERROR ~p", [Err]), no_reply.

handle_trans_request(Conn, _Vsn, Actions, Driver) ->
    [request(Conn, A, Driver) || A <- Actions],
    {discard_ack, [mgc_replies:reply_for(A) || A <- Actions]}.

request(Conn, #'ActionRequest'{commandRequests = Cmds}, Driver) ->
    lists:foreach(
      fun(#'CommandRequest'{command = {serviceChangeReq, #'ServiceChangeRequest'{serviceChangeParms = P}}}) ->
              say("REGISTERED ~p ~s", [P#'ServiceChangeParm'.serviceChangeMethod,
                                       mgc_replies:profile(P#'ServiceChangeParm'.serviceChangeProfile)]),
              Driver ! {registered, Conn};
         (#'CommandRequest'{command = {notifyReq, #'NotifyRequest'{terminationID = [T], observedEventsDescriptor = OE}}}) ->
              [say("NOTIFY ~s ~s~s", [mgc_replies:tid(T), E, params(Ps)])
               || #'ObservedEvent'{eventName = E, eventParList = Ps} <- OE#'ObservedEventsDescriptor'.observedEventLst];
         (_) -> ok
      end, Cmds).

params([]) -> "";
params(Ps) -> " " ++ string:join([N ++ "=" ++ string:join(V, "|") || #'EventParameter'{eventParameterName = N, value = V} <- Ps], ",").

handle_trans_long_request(_Conn, _Vsn, _Data, _Driver) -> {discard_ack, []}.
handle_trans_reply(_Conn, _Vsn, _Result, _Data, _Driver) -> ok.
handle_trans_ack(_Conn, _Vsn, _Status, _Data, _Driver) -> ok.
handle_unexpected_trans(_Conn, _Vsn, _Trans, _Driver) -> ok.
handle_trans_request_abort(_Conn, _Vsn, _Tid, _Pid, _Driver) -> ok.
handle_segment_reply(_Conn, _Vsn, _Tid, _Sn, _Sc, _Driver) -> ok.
