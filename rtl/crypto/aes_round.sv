// One AES encryption round, combinational: SubBytes, ShiftRows, MixColumns (skipped when
// final_i, the last round), AddRoundKey. Blocks are big-endian: byte 0 in [127:120];
// AES state s[r][c] is byte r + 4c.
module aes_round (
  input  logic [127:0] state_i,
  input  logic [127:0] round_key_i,
  input  logic         final_i,
  output logic [127:0] state_o
);
  localparam int unsigned NumBytes = 16;

  function automatic logic [7:0] xtime(input logic [7:0] b);
    xtime = {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);
  endfunction

  logic [127:0] sub;
  logic [127:0] shifted;
  logic [127:0] mixed;

  for (genvar i = 0; i < NumBytes; i++) begin : g_sbox
    aes_sbox u_sbox (
      .in_i (state_i[127 - 8*i -: 8]),
      .out_o(sub[127 - 8*i -: 8])
    );
  end

  // ShiftRows: s'[r][c] = s[r][(c + r) mod 4].
  for (genvar c = 0; c < 4; c++) begin : g_shift_col
    for (genvar r = 0; r < 4; r++) begin : g_shift_row
      assign shifted[127 - 8*(r + 4*c) -: 8] = sub[127 - 8*(r + 4*((c + r) % 4)) -: 8];
    end
  end

  // MixColumns.
  for (genvar c = 0; c < 4; c++) begin : g_mix
    logic [7:0] a0, a1, a2, a3;
    assign a0 = shifted[127 - 32*c -: 8];
    assign a1 = shifted[119 - 32*c -: 8];
    assign a2 = shifted[111 - 32*c -: 8];
    assign a3 = shifted[103 - 32*c -: 8];
    assign mixed[127 - 32*c -: 8] = xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3;
    assign mixed[119 - 32*c -: 8] = a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3;
    assign mixed[111 - 32*c -: 8] = a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3;
    assign mixed[103 - 32*c -: 8] = xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3);
  end

  assign state_o = (final_i ? shifted : mixed) ^ round_key_i;
endmodule
