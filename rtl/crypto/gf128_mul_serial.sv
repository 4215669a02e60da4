// GCM GF(2^128) multiplier, one bit of a_i per clock (128 cycles). GCM bit order: bit 0 of
// the field element is the MSB [127] of the big-endian block; the reduction constant is
// R = 0xE1 || 0^120. start_i samples a_i, b_i (ignored while busy_o); done_o pulses for one
// cycle when p_o = a_i * b_i is valid; p_o holds until the next start.
module gf128_mul_serial (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [127:0] a_i,
  input  logic [127:0] b_i,
  output logic         busy_o,
  output logic         done_o,
  output logic [127:0] p_o
);
  localparam logic [127:0] Poly = {8'he1, 120'h0};

  logic         busy_q, done_q;
  logic [6:0]   count_q;
  logic [127:0] x_q;   // multiplier, consumed from the MSB
  logic [127:0] v_q;   // b * x^i
  logic [127:0] z_q;   // partial product

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      done_q  <= 1'b0;
      count_q <= '0;
      x_q     <= '0;
      v_q     <= '0;
      z_q     <= '0;
    end else begin
      done_q <= 1'b0;
      if (!busy_q) begin
        if (start_i) begin
          busy_q  <= 1'b1;
          count_q <= '0;
          x_q     <= a_i;
          v_q     <= b_i;
          z_q     <= '0;
        end
      end else begin
        if (x_q[127]) z_q <= z_q ^ v_q;
        x_q     <= {x_q[126:0], 1'b0};
        v_q     <= (v_q >> 1) ^ (v_q[0] ? Poly : '0);
        count_q <= count_q + 7'd1;
        if (count_q == 7'd127) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
    end
  end

  assign busy_o = busy_q;
  assign done_o = done_q;
  assign p_o    = z_q;
endmodule
