%% Starts Erlang/OTP megaco as an MGC for mediasec's tests: the megaco user with its options, then
%% its transport on 127.0.0.1:Port — UDP (megaco_udp) or TCP with TPKT framing (megaco_tcp) —
%% decoding and encoding with Encoder. Shared by mgc_peer (scripted calls, benches) and mgc_script
%% (driven on standard input).
-module(mgc_listen).

-include_lib("megaco/include/megaco.hrl").
-include_lib("megaco/include/megaco_message_v3.hrl").

-export([start/4]).

%% Transport: "udp" or "tcp". UserOptions: megaco:start_user/2 options (user_mod, user_args,
%% timers). Returns once megaco listens.
start(Port, Transport, Encoder, UserOptions) ->
    ok = megaco:start(),
    Mid = {ip4Address, #'IP4Address'{address = [127, 0, 0, 1], portNumber = Port}},
    ok = megaco:start_user(Mid, [{protocol_version, 3} | UserOptions]),
    SendMod = case Transport of "tcp" -> megaco_tcp; _ -> megaco_udp end,
    RH = (megaco:user_info(Mid, receive_handle))#megaco_receive_handle{
           encoding_mod = Encoder, encoding_config = [], send_mod = SendMod},
    case Transport of
        "tcp" ->
            {ok, TSup} = megaco_tcp:start_transport(),
            ok = megaco_tcp:listen(TSup, [{port, Port}, {tcp_options, [{ip, {127, 0, 0, 1}}]},
                                          {receive_handle, RH}]);
        _ ->
            {ok, Sup} = megaco_udp:start_transport(),
            {ok, _SH, _Ctl} = megaco_udp:open(Sup, [{port, Port}, {udp_options, [{ip, {127, 0, 0, 1}}]},
                                                     {receive_handle, RH}])
    end,
    ok.
