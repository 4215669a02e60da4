// Pipelined GCM GF(2^128) multiplier, one product per clock, latency 2 clocks.
// GCM bit order: bit [127] of a big-endian block is the coefficient of x^0. Internally the
// operands are bit-reversed into ordinary polynomials (bit i = coefficient of x^i).
//   Stage 1: CHUNKS partial carry-less products a_k(x) * b(x), a_k the k-th 128/CHUNKS-bit
//            slice of a; each output bit is an XOR of <= 128/CHUNKS AND terms (3 LUT6 levels
//            for 32 terms).
//   Stage 2: XOR of the shifted partial products (255 bits) and reduction modulo
//            g(x) = x^128 + x^7 + x^2 + x + 1 (two folds); about 3 LUT6 levels.
// Flow control: global advance enable en_i, as in aes_pipeline. A USER_W-bit sideband travels
// with each product.
module gf128_mul_pipe #(
  parameter int unsigned USER_W = 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              en_i,
  input  logic              in_valid_i,
  input  logic [127:0]      a_i,
  input  logic [127:0]      b_i,
  input  logic [USER_W-1:0] in_user_i,
  output logic              out_valid_o,
  output logic [127:0]      p_o,
  output logic [USER_W-1:0] out_user_o
);
  localparam int Chunks = 4;
  localparam int ChunkW = 128 / Chunks;
  localparam int PartW = ChunkW + 127;  // degree < ChunkW + 127

  function automatic logic [127:0] reverse128(input logic [127:0] x);
    for (int i = 0; i < 128; i++) reverse128[i] = x[127 - i];
  endfunction

  // Carry-less product of a ChunkW-bit and a 128-bit polynomial.
  function automatic logic [PartW-1:0] clmul_chunk(input logic [ChunkW-1:0] a,
                                                    input logic [127:0] b);
    logic [PartW-1:0] acc;
    acc = '0;
    for (int i = 0; i < ChunkW; i++) begin
      if (a[i]) acc = acc ^ ({{(PartW - 128){1'b0}}, b} << i);
    end
    clmul_chunk = acc;
  endfunction

  // x^128 = x^7 + x^2 + x + 1 (mod g). Fold a 255-bit product twice.
  function automatic logic [127:0] reduce(input logic [254:0] c);
    logic [126:0] hi;
    logic [134:0] fold1;
    logic [6:0]   hi2;
    hi     = c[254:128];
    fold1  = {7'h0, c[127:0]} ^ {8'h0, hi} ^ {7'h0, hi, 1'b0} ^ {6'h0, hi, 2'b0} ^ {1'b0, hi, 7'b0};
    hi2    = fold1[134:128];
    reduce = fold1[127:0] ^ {121'h0, hi2} ^ {120'h0, hi2, 1'b0} ^ {119'h0, hi2, 2'b0} ^
             {114'h0, hi2, 7'b0};
  endfunction

  logic [127:0] a_rev, b_rev;
  assign a_rev = reverse128(a_i);
  assign b_rev = reverse128(b_i);

  // Stage 1: partial products.
  logic                     s1_valid_q;
  logic [Chunks*PartW-1:0]  s1_part_q;
  logic [USER_W-1:0]        s1_user_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_part_q  <= '0;
      s1_user_q  <= '0;
    end else if (en_i) begin
      s1_valid_q <= in_valid_i;
      s1_user_q  <= in_user_i;
      for (int k = 0; k < Chunks; k++) begin
        s1_part_q[k*PartW +: PartW] <= clmul_chunk(a_rev[k*ChunkW +: ChunkW], b_rev);
      end
    end
  end

  // Stage 2: combine and reduce.
  logic [254:0] full;
  always_comb begin
    full = '0;
    for (int k = 0; k < Chunks; k++) begin
      full = full ^ ({{(255 - PartW){1'b0}}, s1_part_q[k*PartW +: PartW]} << (k * ChunkW));
    end
  end

  logic              s2_valid_q;
  logic [127:0]      s2_p_q;
  logic [USER_W-1:0] s2_user_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s2_valid_q <= 1'b0;
      s2_p_q     <= '0;
      s2_user_q  <= '0;
    end else if (en_i) begin
      s2_valid_q <= s1_valid_q;
      s2_p_q     <= reverse128(reduce(full));
      s2_user_q  <= s1_user_q;
    end
  end

  assign out_valid_o = s2_valid_q;
  assign p_o         = s2_p_q;
  assign out_user_o  = s2_user_q;
endmodule
