// One step of the AES key schedule, producing the next 128-bit round key (4 words).
// AES-128: prev2_i = previous round key, last_word_i = its last word, rot_i = 1.
// AES-256: prev2_i = round key r-2, last_word_i = last word of round key r-1; rot_i = 1 for even r
// (RotWord + Rcon), 0 for odd r (SubWord only).
// next[i] = prev2[i] ^ next[i-1] (next[-1] = t), t = SubWord(RotWord(w)) ^ rcon or SubWord(w),
// w = last_word_i. Words are big-endian, word 0 in [127:96].
module aes_key_step (
  input  logic [127:0] prev2_i,
  input  logic [31:0]  last_word_i,
  input  logic [7:0]   rcon_i,
  input  logic         rot_i,
  output logic [127:0] next_o
);
  logic [31:0] w;
  logic [31:0] w_rot;
  logic [31:0] w_sub;
  logic [31:0] t;

  assign w     = last_word_i;
  assign w_rot = rot_i ? {w[23:0], w[31:24]} : w;

  for (genvar i = 0; i < 4; i++) begin : g_sbox
    aes_sbox u_sbox (
      .in_i (w_rot[8*i +: 8]),
      .out_o(w_sub[8*i +: 8])
    );
  end

  assign t = w_sub ^ {(rot_i ? rcon_i : 8'h00), 24'h0};

  logic [31:0] n0, n1, n2, n3;
  assign n0 = prev2_i[127:96] ^ t;
  assign n1 = prev2_i[95:64] ^ n0;
  assign n2 = prev2_i[63:32] ^ n1;
  assign n3 = prev2_i[31:0] ^ n2;
  assign next_o = {n0, n1, n2, n3};
endmodule
