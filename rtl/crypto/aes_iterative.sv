// AES-128/256 encryption, one round per clock (10 or 14 cycles after start), round keys
// computed on the fly. start_i samples key_i/key256_i/block_i (ignored while busy_o);
// done_o pulses for one cycle when block_o is valid; block_o holds until the next start.
// key_i: byte 0 in [255:248]; AES-128 uses [255:128]. Blocks: byte 0 in [127:120].
module aes_iterative (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [255:0] key_i,
  input  logic         key256_i,
  input  logic [127:0] block_i,
  output logic         busy_o,
  output logic         done_o,
  output logic [127:0] block_o
);
  localparam logic [7:0] RconFirst = 8'h01;

  logic         busy_q, done_q, key256_q;
  logic [3:0]   round_q;   // round being computed, 1..Nr
  logic [127:0] state_q;
  logic [127:0] rk2_q;     // round key r-2 (AES-256 only)
  logic [127:0] rk1_q;     // round key r-1
  logic [127:0] key_lo_q;  // AES-256 round key 1
  logic [7:0]   rcon_q;

  logic [3:0]   last_round;
  logic         is_final;
  logic         use_rot;
  logic [127:0] step_key;
  logic [127:0] round_key;
  logic [127:0] round_out;

  assign last_round = key256_q ? 4'd14 : 4'd10;
  assign is_final   = (round_q == last_round);
  assign use_rot    = !key256_q || !round_q[0];

  aes_key_step u_key_step (
    .prev2_i(key256_q ? rk2_q : rk1_q),
    .last_word_i(rk1_q[31:0]),
    .rcon_i (rcon_q),
    .rot_i  (use_rot),
    .next_o (step_key)
  );

  assign round_key = (key256_q && round_q == 4'd1) ? key_lo_q : step_key;

  aes_round u_round (
    .state_i    (state_q),
    .round_key_i(round_key),
    .final_i    (is_final),
    .state_o    (round_out)
  );

  function automatic logic [7:0] xtime(input logic [7:0] b);
    xtime = {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q   <= 1'b0;
      done_q   <= 1'b0;
      key256_q <= 1'b0;
      round_q  <= 4'd0;
      state_q  <= '0;
      rk2_q    <= '0;
      rk1_q    <= '0;
      key_lo_q <= '0;
      rcon_q   <= RconFirst;
    end else begin
      done_q <= 1'b0;
      if (!busy_q) begin
        if (start_i) begin
          busy_q   <= 1'b1;
          key256_q <= key256_i;
          round_q  <= 4'd1;
          state_q  <= block_i ^ key_i[255:128];
          rk2_q    <= '0;
          rk1_q    <= key_i[255:128];
          key_lo_q <= key_i[127:0];
          rcon_q   <= RconFirst;
        end
      end else begin
        state_q <= round_out;
        rk2_q   <= rk1_q;
        rk1_q   <= round_key;
        round_q <= round_q + 4'd1;
        if (use_rot && !(key256_q && round_q == 4'd1)) rcon_q <= xtime(rcon_q);
        if (is_final) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
    end
  end

  assign busy_o  = busy_q;
  assign done_o  = done_q;
  assign block_o = state_q;
endmodule
