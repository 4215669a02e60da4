// Fully pipelined AES-128/256 encryption: one block per clock, latency 15 clocks
// (an input register holding block ^ round key 0, then 14 round stages). AES-128 blocks pass
// stages 11..14 unchanged, so latency is uniform and blocks leave in the order they entered.
// The key travels with each block (the key-schedule state advances stage by stage beside the
// data), so consecutive blocks may use different keys and key sizes. A USER_W-bit sideband
// (user_i) travels with each block.
//
// Flow control: a global advance enable. When en_i = 1 every stage moves one step: in_valid_i
// with its operands is sampled and the block at the output (out_valid_o) is considered taken.
// When en_i = 0 nothing moves (out_* hold). A consumer that can stall drives en_i low while
// out_valid_o is high and it is not ready.
// key_i: byte 0 in [255:248]; AES-128 uses [255:128]. Blocks: byte 0 in [127:120].
module aes_pipeline #(
  parameter int unsigned USER_W = 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              en_i,
  input  logic              in_valid_i,
  input  logic [127:0]      in_block_i,
  input  logic [255:0]      in_key_i,
  input  logic              in_key256_i,
  input  logic [USER_W-1:0] in_user_i,
  output logic              out_valid_o,
  output logic [127:0]      out_block_o,
  output logic [USER_W-1:0] out_user_o
);
  localparam int unsigned Rounds = 14;
  localparam int unsigned Stages = Rounds + 1;  // stage 0: input register

  // Rcon for the key step that produces round key r.
  // AES-128: rcon[r] for r = 1..10. AES-256: rcon[r/2] for even r.
  function automatic logic [7:0] rcon_of(input int unsigned idx);
    logic [7:0] v;
    v = 8'h01;
    for (int unsigned i = 1; i < idx; i++) v = {v[6:0], 1'b0} ^ (v[7] ? 8'h1b : 8'h00);
    rcon_of = v;
  endfunction

  // Per-stage registers, stage s at [s*W +: W].
  logic [Stages-1:0]        valid_q;
  logic [Stages-1:0]        k256_q;
  logic [Stages*128-1:0]    state_q;
  logic [Stages*128-1:0]    rk1_q;    // round key s (the last one added)
  logic [Stages*128-1:0]    rk2_q;    // round key s-1 (AES-256 key schedule)
  logic [Stages*USER_W-1:0] user_q;
  logic [127:0]             key_lo_q; // AES-256 round key 1, only needed by stage 1

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q[0]            <= 1'b0;
      k256_q[0]             <= 1'b0;
      state_q[127:0]        <= '0;
      rk1_q[127:0]          <= '0;
      rk2_q[127:0]          <= '0;
      user_q[USER_W-1:0]    <= '0;
      key_lo_q              <= '0;
    end else if (en_i) begin
      valid_q[0]            <= in_valid_i;
      k256_q[0]             <= in_key256_i;
      state_q[127:0]        <= in_block_i ^ in_key_i[255:128];
      rk1_q[127:0]          <= in_key_i[255:128];
      rk2_q[127:0]          <= '0;
      user_q[USER_W-1:0]    <= in_user_i;
      key_lo_q              <= in_key_i[127:0];
    end
  end

  for (genvar s = 1; s < Stages; s++) begin : g_stage
    localparam logic [7:0] Rcon128 = rcon_of(s);
    localparam logic [7:0] Rcon256 = rcon_of(s / 2);
    localparam bit Rot256 = (s % 2) == 0;

    logic         k256;
    logic         active;   // AES-128 has only 10 rounds
    logic         is_final;
    logic [127:0] prev_state, prev_rk1, prev_rk2;
    logic [127:0] step_key, round_key, round_out;

    assign k256       = k256_q[s-1];
    assign prev_state = state_q[(s-1)*128 +: 128];
    assign prev_rk1   = rk1_q[(s-1)*128 +: 128];
    assign prev_rk2   = rk2_q[(s-1)*128 +: 128];
    assign active     = k256 || (s <= 10);
    assign is_final   = k256 ? (s == 14) : (s == 10);

    aes_key_step u_key_step (
      .prev2_i    (k256 ? prev_rk2 : prev_rk1),
      .last_word_i(prev_rk1[31:0]),
      .rcon_i     (k256 ? Rcon256 : Rcon128),
      .rot_i      (!k256 || Rot256),
      .next_o     (step_key)
    );

    if (s == 1) begin : g_first
      assign round_key = k256 ? key_lo_q : step_key;
    end else begin : g_rest
      assign round_key = step_key;
    end

    aes_round u_round (
      .state_i    (prev_state),
      .round_key_i(round_key),
      .final_i    (is_final),
      .state_o    (round_out)
    );

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        valid_q[s]                  <= 1'b0;
        k256_q[s]                   <= 1'b0;
        state_q[s*128 +: 128]       <= '0;
        rk1_q[s*128 +: 128]         <= '0;
        rk2_q[s*128 +: 128]         <= '0;
        user_q[s*USER_W +: USER_W]  <= '0;
      end else if (en_i) begin
        valid_q[s]                  <= valid_q[s-1];
        k256_q[s]                   <= k256;
        state_q[s*128 +: 128]       <= active ? round_out : prev_state;
        rk1_q[s*128 +: 128]         <= active ? round_key : prev_rk1;
        rk2_q[s*128 +: 128]         <= prev_rk1;
        user_q[s*USER_W +: USER_W]  <= user_q[(s-1)*USER_W +: USER_W];
      end
    end
  end

  assign out_valid_o = valid_q[Stages-1];
  assign out_block_o = state_q[(Stages-1)*128 +: 128];
  assign out_user_o  = user_q[(Stages-1)*USER_W +: USER_W];

  // The last stage's key registers are never read.
  logic unused_last_keys;
  assign unused_last_keys = ^{rk1_q[(Stages-1)*128 +: 128], rk2_q[(Stages-1)*128 +: 128],
                              k256_q[Stages-1]};
endmodule
