// GHASH at one block per clock over a stream of records, using 4 interleaved accumulators.
// For a record of n blocks X_0..X_{n-1}, GHASH = sum_i X_i * H^(n-i). Block i goes to lane
// i mod 4; a lane's running value Y is multiplied by H^4 for every block except the last four
// of the record, which are multiplied by H^(n-i) instead:
//   Y_lane <- (Y_lane ^ X_i) * (i < n-4 ? H^4 : H^(n-i)),   Y_lane = 0 for i < 4,
// so each X_k picks up H^(4m) * H^(n-j) = H^(n-k) along its lane, and the XOR of the four
// final products is the GHASH. The multiplier (gf128_mul_pipe, latency 2) is shorter than the
// lane distance (4 blocks), so a lane's product is back in its accumulator before the lane's
// next block can arrive. Final products go to a separate XOR accumulator, so a new record's
// first blocks (feedback 0) may follow the previous record's last blocks back to back.
//
// Interface: in_valid_i with in_block_i; in_start_i marks a record's first block and samples
// in_nblocks_i (n >= 1) and in_hpow_i (H^1 in [127:0] .. H^4 in [511:384]). Gaps between
// blocks are allowed. out_valid_o pulses with out_ghash_o, one per record, in order,
// Latency = 4 clocks after the record's last block (input register, 2 multiplier stages,
// output register). No backpressure: the consumer must take every result.
module ghash (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         in_valid_i,
  input  logic         in_start_i,
  input  logic [12:0]  in_nblocks_i,
  input  logic [511:0] in_hpow_i,
  input  logic [127:0] in_block_i,
  output logic         out_valid_o,
  output logic [127:0] out_ghash_o
);
  localparam int unsigned CountW = 13;

  // Record state, advanced per input block.
  logic [CountW-1:0] idx_q, n_q;
  logic [511:0]      hpow_q;

  logic [CountW-1:0] idx, n;
  logic [511:0]      hpow;
  assign idx  = in_start_i ? '0 : idx_q;
  assign n    = in_start_i ? in_nblocks_i : n_q;
  assign hpow = in_start_i ? in_hpow_i : hpow_q;

  logic [CountW-1:0] rem;  // blocks after this one
  assign rem = n - idx - 1'b1;

  // The power of H this block is multiplied by. Constant part-selects only: a variable
  // index such as hpow[k*128 +: 128] synthesizes as a wide shifter behind an index adder.
  logic [127:0] pow_sel;
  always_comb begin
    pow_sel = hpow[384 +: 128];
    if (rem < CountW'(4)) begin
      unique case (rem[1:0])
        2'd0:    pow_sel = hpow[0 +: 128];
        2'd1:    pow_sel = hpow[128 +: 128];
        2'd2:    pow_sel = hpow[256 +: 128];
        default: pow_sel = hpow[384 +: 128];
      endcase
    end
  end

  // Input register: block, lane, power, flags.
  logic         r_valid_q, r_first_q, r_final_q, r_last_q;
  logic [1:0]   r_lane_q;
  logic [127:0] r_block_q, r_pow_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx_q     <= '0;
      n_q       <= '0;
      hpow_q    <= '0;
      r_valid_q <= 1'b0;
      r_first_q <= 1'b0;
      r_final_q <= 1'b0;
      r_last_q  <= 1'b0;
      r_lane_q  <= '0;
      r_block_q <= '0;
      r_pow_q   <= '0;
    end else begin
      r_valid_q <= in_valid_i;
      if (in_valid_i) begin
        idx_q     <= idx + 1'b1;
        n_q       <= n;
        hpow_q    <= hpow;
        r_first_q <= idx < CountW'(4);
        r_final_q <= rem < CountW'(4);
        r_last_q  <= rem == '0;
        r_lane_q  <= idx[1:0];
        r_block_q <= in_block_i;
        r_pow_q   <= pow_sel;
      end
    end
  end

  // Lane accumulators, written by non-final products.
  logic [511:0] acc_q;  // lane i at [i*128 +: 128]
  logic [127:0] feedback;
  always_comb begin
    unique case (r_lane_q)
      2'd0:    feedback = acc_q[0 +: 128];
      2'd1:    feedback = acc_q[128 +: 128];
      2'd2:    feedback = acc_q[256 +: 128];
      default: feedback = acc_q[384 +: 128];
    endcase
    if (r_first_q) feedback = '0;
  end

  logic         m_valid;
  logic [127:0] m_p;
  logic [3:0]   m_user;  // {final, last, lane}

  gf128_mul_pipe #(
    .USER_W(4)
  ) u_mul (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .en_i       (1'b1),
    .in_valid_i (r_valid_q),
    .a_i        (r_block_q ^ feedback),
    .b_i        (r_pow_q),
    .in_user_i  ({r_final_q, r_last_q, r_lane_q}),
    .out_valid_o(m_valid),
    .p_o        (m_p),
    .out_user_o (m_user)
  );

  logic         m_final, m_last;
  logic [1:0]   m_lane;
  assign {m_final, m_last, m_lane} = m_user;

  logic [127:0] fin_q;
  logic         out_valid_q;
  logic [127:0] out_ghash_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q       <= '0;
      fin_q       <= '0;
      out_valid_q <= 1'b0;
      out_ghash_q <= '0;
    end else begin
      out_valid_q <= 1'b0;
      if (m_valid) begin
        if (!m_final) begin
          for (int l = 0; l < 4; l++) begin
            if (m_lane == 2'(l)) acc_q[l*128 +: 128] <= m_p;
          end
        end else if (m_last) begin
          fin_q       <= '0;
          out_valid_q <= 1'b1;
          out_ghash_q <= fin_q ^ m_p;
        end else begin
          fin_q <= fin_q ^ m_p;
        end
      end
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_ghash_o = out_ghash_q;
endmodule
