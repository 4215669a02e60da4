// Key setup for one slot LOAD (and the self-test): H = AES_K(0^128) with aes_iterative, then
// H^2 = H*H, H^3 = H^2*H, H^4 = H^3*H with gf128_mul_serial. start_i samples key_i/key256_i
// (ignored while busy_o); done_o pulses one cycle when hpow_o is valid; hpow_o holds until the
// next start. Layout of hpow_o as gcm_core's job_hpow_i: H^1 [127:0] .. H^4 [511:384].
module key_setup (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [255:0] key_i,
  input  logic         key256_i,
  output logic         busy_o,
  output logic         done_o,
  output logic [511:0] hpow_o
);
  localparam logic [2:0] StIdle = 3'd0;
  localparam logic [2:0] StAes  = 3'd1;
  localparam logic [2:0] StMul  = 3'd2;

  logic [2:0]   state_q, state_d;
  logic [1:0]   power_q, power_d;   // index of the power being computed by the multiplier (1..3 -> H^2..H^4)
  logic [511:0] hpow_q, hpow_d;
  logic         done_q, done_d;

  logic         aes_start, aes_busy, aes_done;
  logic [127:0] aes_out;
  logic         mul_start, mul_busy, mul_done;
  logic [127:0] mul_a, mul_p;

  aes_iterative u_aes (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (aes_start),
    .key_i   (key_i),
    .key256_i(key256_i),
    .block_i (128'h0),
    .busy_o  (aes_busy),
    .done_o  (aes_done),
    .block_o (aes_out)
  );

  gf128_mul_serial u_mul (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .start_i(mul_start),
    .a_i    (mul_a),
    .b_i    (hpow_q[127:0]),
    .busy_o (mul_busy),
    .done_o (mul_done),
    .p_o    (mul_p)
  );

  // The multiplier's a operand is the previous power: H^power.
  always_comb begin
    unique case (power_q)
      2'd2:    mul_a = hpow_q[255:128];
      2'd3:    mul_a = hpow_q[383:256];
      default: mul_a = hpow_q[127:0];
    endcase
  end

  always_comb begin
    state_d   = state_q;
    power_d   = power_q;
    hpow_d    = hpow_q;
    done_d    = 1'b0;
    aes_start = 1'b0;
    mul_start = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          aes_start = 1'b1;
          hpow_d    = '0;
          state_d   = StAes;
        end
      end
      StAes: begin
        if (aes_done) begin
          hpow_d[127:0] = aes_out;
          power_d       = 2'd1;
          state_d       = StMul;
        end
      end
      StMul: begin
        // Start a product when the multiplier is idle, collect it on done.
        if (mul_done) begin
          unique case (power_q)
            2'd2:    hpow_d[383:256] = mul_p;
            2'd3:    hpow_d[511:384] = mul_p;
            default: hpow_d[255:128] = mul_p;
          endcase
          if (power_q == 2'd3) begin
            done_d  = 1'b1;
            state_d = StIdle;
          end else begin
            power_d = power_q + 2'd1;
          end
        end else if (!mul_busy) begin
          mul_start = 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      power_q <= '0;
      hpow_q  <= '0;
      done_q  <= 1'b0;
    end else begin
      state_q <= state_d;
      power_q <= power_d;
      hpow_q  <= hpow_d;
      done_q  <= done_d;
    end
  end

  assign busy_o = (state_q != StIdle) || aes_busy || mul_busy;
  assign done_o = done_q;
  assign hpow_o = hpow_q;

endmodule
